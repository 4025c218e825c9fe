import Checksums
import Foundation
import Imaging
import Shards
import Tensors
import Tokenizers

/// `vlmtune data convert`: LLaVA JSON + an image folder -> a shard folder (DESIGN.md
/// section 2). Samples are tokenised with the chat template and their images decoded and
/// preprocessed on both cores; shards are written in order. Bad samples are skipped and
/// counted by reason; the conversion stops only when more than `maxSkipFraction` of the
/// samples are bad. A conversion that stops half way resumes: finished shards are kept
/// (checked by sha256) and the rest is redone.
public struct ShardConverter {
    public struct Options {
        public var json: String
        public var images: String
        public var out: String
        public var template: ChatTemplate
        public var imageSize: Int
        public var mode: ImageMode
        public var storage: ImageStorage
        public var maxLength: Int
        /// Tokens each image will occupy after splicing (the tower's patch count), for the
        /// length check; 0 counts the placeholder as one token.
        public var imageTokens: Int
        public var shardSamples: Int
        public var maxSkipFraction: Double
        /// Normalisation constants stored in index.json (the tower's image_mean / image_std).
        public var processor: ImageProcessorConfig
        public var compressionLevel: Int = 3
        /// Video samples keep at most this many frames, sampled uniformly over the list
        /// (first and last included), as LLaVA-NeXT-Video's `np.linspace` sampling (0: all).
        public var videoFrames: Int = 0

        public init(json: String, images: String, out: String, template: ChatTemplate, imageSize: Int, mode: ImageMode,
                    storage: ImageStorage, maxLength: Int, imageTokens: Int = 0, shardSamples: Int, maxSkipFraction: Double,
                    processor: ImageProcessorConfig) {
            self.json = json
            self.images = images
            self.out = out
            self.template = template
            self.imageSize = imageSize
            self.mode = mode
            self.storage = storage
            self.maxLength = maxLength
            self.imageTokens = imageTokens
            self.shardSamples = shardSamples
            self.maxSkipFraction = maxSkipFraction
            self.processor = processor
        }
    }

    public struct Report {
        public var index: ShardIndex
        public var converted: Int
        public var skipped: [String: Int]
        public var reusedShards: Int
        public var seconds: Double
    }

    public let options: Options
    public let tokenizer: Tokenizer
    let encoder: ConversationEncoder
    let preprocessor: ImagePreprocessor

    public init(options: Options, tokenizer: Tokenizer) throws {
        self.options = options
        self.tokenizer = tokenizer
        encoder = try ConversationEncoder(tokenizer: tokenizer, template: options.template)
        preprocessor = try ImagePreprocessor(config: options.processor.withOutputSide(options.imageSize), mode: options.mode)
    }

    /// A sample ready to write, or why it was skipped.
    enum Prepared {
        case sample(ShardSample)
        case skip(reason: String, detail: String)
    }

    /// Progress of a partly done conversion (written next to the shards).
    struct Checkpoint: Codable {
        var fingerprint: String
        var shards: [ShardEntry]
        /// Source position after the last sample of each finished shard.
        var nextPosition: [Int]
        var skipped: [String: Int]
    }

    public func run(progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        let began = Date()
        let fm = FileManager.default
        try fm.createDirectory(atPath: options.out, withIntermediateDirectories: true)
        let entries = try LLaVASource.read(options.json)
        let fingerprint = self.fingerprint(entryCount: entries.count)
        let ckPath = options.out + "/.convert-progress.json"
        var state = Checkpoint(fingerprint: fingerprint, shards: [], nextPosition: [], skipped: [:])
        if let data = fm.contents(atPath: ckPath), let saved = try? JSONDecoder().decode(Checkpoint.self, from: data), saved.fingerprint == fingerprint {
            // Keep the finished shards whose bytes still match.
            var kept = 0
            for (k, entry) in saved.shards.enumerated() {
                let path = options.out + "/" + entry.file
                guard let digest = try? SHA256.hashFile(atPath: path), digest.hexadecimal == entry.sha256 else { break }
                kept = k + 1
            }
            state.shards = Array(saved.shards.prefix(kept))
            state.nextPosition = Array(saved.nextPosition.prefix(kept))
            state.skipped = kept == saved.shards.count ? saved.skipped : [:]
            if kept < saved.shards.count { state.skipped = [:] }
            if kept > 0 { Log.info("resuming conversion: \(kept) finished shard(s) kept") }
        }
        let reused = state.shards.count
        var skipped = reused > 0 ? state.skipped : [:]
        var position = state.nextPosition.last ?? 0
        var shardNumber = state.shards.count
        var converted = state.shards.reduce(0) { $0 + $1.samples }
        var writer: ShardWriter?
        var bad = 0
        var examples: [String] = []
        let chunk = 64
        while position < entries.count {
            let end = min(position + chunk, entries.count)
            let prepared = prepare(Array(entries[position..<end]))
            for (offset, p) in prepared.enumerated() {
                switch p {
                case .skip(let reason, let detail):
                    skipped[reason, default: 0] += 1
                    bad += 1
                    if examples.count < 5 { examples.append(detail) }
                case .sample(let s):
                    if writer == nil {
                        writer = try ShardWriter(path: options.out + "/" + ShardLayout.shardFileName(shardNumber), storage: options.storage,
                                                 imageSize: options.imageSize, compressionLevel: options.compressionLevel)
                    }
                    try writer!.append(s)
                    converted += 1
                    if writer!.sampleCount >= options.shardSamples {
                        state.shards.append(try writer!.finish())
                        state.nextPosition.append(position + offset + 1)
                        state.skipped = skipped
                        writer = nil
                        shardNumber += 1
                        try saveCheckpoint(state, to: ckPath)
                    }
                }
            }
            position = end
            progress?(position, entries.count)
            let seen = converted + bad
            if seen >= 100 && Double(bad) / Double(seen) > options.maxSkipFraction {
                writer?.discard()
                throw ConversionError("\(bad) of \(seen) samples are bad (more than \(Int(options.maxSkipFraction * 100))%; e.g. \(examples.first ?? "")); raise --max-skip-fraction to convert anyway", at: options.json)
            }
        }
        if let w = writer, w.sampleCount > 0 {
            state.shards.append(try w.finish())
            state.nextPosition.append(entries.count)
        }
        let index = ShardIndex(template: options.template.rawValue, tokenizerSHA256: tokenizer.sha256,
                               image: .init(size: options.imageSize, mode: options.mode.rawValue, storage: options.storage,
                                            mean: options.processor.imageMean, std: options.processor.imageStd),
                               shards: state.shards, skipped: skipped, source: options.json)
        try index.write(toFolder: options.out)
        try? fm.removeItem(atPath: ckPath)
        for e in examples { Log.info("skipped: \(e)") }
        return Report(index: index, converted: converted, skipped: skipped, reusedShards: reused, seconds: Date().timeIntervalSince(began))
    }

    func saveCheckpoint(_ c: Checkpoint, to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try enc.encode(c).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Settings that change the output; a resume is refused when they differ.
    func fingerprint(entryCount: Int) -> String {
        [options.json, String(entryCount), options.template.rawValue, tokenizer.sha256, String(options.imageSize), options.mode.rawValue,
         options.storage.rawValue, String(options.maxLength), String(options.imageTokens), String(options.shardSamples),
         options.processor.imageMean.description, options.processor.imageStd.description].joined(separator: "|")
    }

    /// Tokenises and loads images for a run of entries on all cores (order kept).
    func prepare(_ entries: [LLaVASource.Entry]) -> [Prepared] {
        var out = [Prepared?](repeating: nil, count: entries.count)
        out.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            Parallel.forEach(entries.count) { i in
                base[i] = prepare(entries[i])
            }
        }
        return out.map { $0! }
    }

    func prepare(_ entry: LLaVASource.Entry) -> Prepared {
        guard case .item(let item) = entry else {
            if case .invalid(_, let reason, let detail) = entry { return .skip(reason: reason, detail: detail) }
            return .skip(reason: "invalid", detail: "")
        }
        let encoded: EncodedConversation
        do { encoded = try encoder.encode(item.conversation) } catch {
            return .skip(reason: error.reason, detail: "\(item.id): \(error.description)")
        }
        if encoded.tokenizationMismatch != nil {
            return .skip(reason: "tokenization_mismatch", detail: "\(item.id): LLaVA's tokenization mismatch rule ignores this sample")
        }
        var ids = encoded.inputIds, labels = encoded.labels
        let isVideo = item.videoFrames != nil
        let placeholder = isVideo ? LLaVAToken.video : LLaVAToken.image
        let tags = ids.filter { $0 == LLaVAToken.image || $0 == LLaVAToken.video }.count
        let files = isVideo ? Self.uniformFrames(item.videoFrames!, count: options.videoFrames) : item.images
        if isVideo {
            guard tags == 1 && ids.contains(LLaVAToken.video) else {
                return .skip(reason: "video_tag_count_mismatch", detail: "\(item.id): a video sample needs exactly one <video> tag")
            }
        } else if tags != files.count {
            return .skip(reason: "image_tag_count_mismatch", detail: "\(item.id): \(files.count) images but \(tags) <image> tags")
        }
        // Length check with each placeholder counting as the tokens its image will take.
        let perImage = max(options.imageTokens, 1)
        var length = 0, cut: Int? = nil, lastPlaceholderEnd = 0
        for (i, id) in ids.enumerated() {
            let w = id == placeholder ? (isVideo ? perImage * files.count : perImage) : 1
            length += w
            if id == placeholder { lastPlaceholderEnd = i + 1 }
            if cut == nil && length > options.maxLength { cut = i }
        }
        if let cut {
            if cut < lastPlaceholderEnd {
                return .skip(reason: "too_long", detail: "\(item.id): \(length) tokens; truncating to \(options.maxLength) would cut an image")
            }
            ids.removeLast(ids.count - cut)
            labels.removeLast(labels.count - cut)
            if !labels.contains(where: { $0 != LLaVAToken.ignoreIndex }) {
                return .skip(reason: "too_long", detail: "\(item.id): nothing left to train on after truncating to \(options.maxLength)")
            }
        }
        var images: [ShardImage] = []
        for f in files {
            let path = f.hasPrefix("/") ? f : options.images + "/" + f
            guard let data = FileManager.default.contents(atPath: path) else {
                return .skip(reason: "missing_image", detail: "\(item.id): image not found: \(path)")
            }
            do {
                let decoded = try RGBImage(decoding: data, source: path)
                switch options.storage {
                case .pixels:
                    images.append(.pixels(preprocessor.preprocess(decoded).pixels))
                case .encoded:
                    let format: EncodedImageFormat = ImageFormat.detect(data) == .png ? .png : .jpeg
                    images.append(.encoded(bytes: [UInt8](data), format: format))
                }
            } catch {
                return .skip(reason: "undecodable_image", detail: "\(item.id): \(error)")
            }
        }
        let modality: Modality = isVideo ? .video : (files.isEmpty ? .text : .image)
        return .sample(ShardSample(id: item.id, modality: modality, inputIds: ids, labels: labels, images: images))
    }
}

extension ShardConverter {
    /// `count` frames spread evenly from the first to the last (all when `count` is 0 or
    /// there are no more than `count`): indices round(i * (n - 1) / (count - 1)).
    public static func uniformFrames<T>(_ frames: [T], count: Int) -> [T] {
        guard count > 0, frames.count > count else { return frames }
        if count == 1 { return [frames[(frames.count - 1) / 2]] }
        return (0..<count).map { i in frames[Int((Double(i) * Double(frames.count - 1) / Double(count - 1)).rounded())] }
    }
}
