import CHDF5
import Checksums
import AtomicFiles
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Builds one shard file from samples appended one at a time.
///
/// Everything streams: pixels go to the file one image (one chunk) at a time, tokens and
/// offsets in whole chunks, so memory stays at a few chunks whatever the shard's size (a
/// 10k-sample shard of 336x336 images holds 3.4 GB of pixels). The file is written under a
/// hidden temporary name and renamed by `finish()`, so an interrupted conversion never
/// leaves a half-written `shard-*.h5`; a writer released without `finish()` deletes it.
///
///     let writer = try ShardWriter(path: dir + "/shard-00000.h5", storage: .pixels, imageSize: 336)
///     try writer.append(id: "0001", modality: .image, inputIds: ids, labels: labels, images: [.pixels(rgb)])
///     let entry = try writer.finish()   // goes into ShardIndex.shards
///
/// Not safe to share between threads while appending; the HDF5 calls themselves are
/// serialised with every other shard reader and writer in the process.
public final class ShardWriter {
    /// Chunk shapes (see docs/DATA.md, "Shard files", for the reasons).
    enum Chunking {
        /// 4096 int32 = 16 KiB of tokens per chunk (about 14 samples of 300 tokens): a random
        /// sample read decompresses one or two such chunks per token dataset.
        static let tokens = 4096
        /// 4096 int64 = 32 KiB of offsets.
        static let offsets = 4096
        /// 32768 uint8 modalities: one chunk for any ordinary shard.
        static let modality = 32768
        /// Rows of 16-byte heap references for the vlen datasets.
        static let ids = 1024
        static let encoded = 256
        /// Pixels: one image per chunk, [1, S, S, 3].
        static let pixels = 1
    }

    public let path: String
    public let storage: ImageStorage
    /// The side S of stored pixel images.
    public let imageSize: Int
    public let compressionLevel: Int
    public private(set) var sampleCount = 0
    public private(set) var tokenCount = 0
    public private(set) var imageCount = 0

    private let temporaryPath: String
    private var file: HDF5File?
    private var inputIds: BufferedColumn<Int32>!
    private var labels: BufferedColumn<Int32>!
    private var tokenOffsets: BufferedColumn<Int64>!
    private var imageOffsets: BufferedColumn<Int64>!
    private var modalities: BufferedColumn<UInt8>!
    private var sampleIds: VariableLengthColumn!
    private var pixels: ExtendibleDataset?
    private var encodedImages: VariableLengthColumn?
    private var encodedFormats: VariableLengthColumn?
    private var finished = false
    /// Set when a write failed part-way through a sample: the datasets may now disagree, so
    /// the writer refuses further appends and `finish()`.
    private var failure: ShardError?

    /// Creates the temporary file with the root attributes and every dataset, empty.
    public init(path: String, storage: ImageStorage, imageSize: Int, compressionLevel: Int = ShardLayout.defaultCompressionLevel) throws {
        guard imageSize > 0 || storage == .encoded else {
            throw ShardError(.invalidSample, file: path, "image size must be positive, got \(imageSize)")
        }
        self.path = path
        self.storage = storage
        self.imageSize = imageSize
        self.compressionLevel = compressionLevel
        self.temporaryPath = AtomicFile.temporaryPath(for: path)
        do {
            try createLayout()
        } catch {
            discard()
            throw error
        }
    }

    deinit {
        if !finished { discard() }
    }

    private func createLayout() throws {
        let file = try HDF5File.create(at: temporaryPath, displayName: path)
        self.file = file
        let level = compressionLevel
        try HDF5Library.locked {
            try file.writeAttribute("format", string: ShardLayout.formatName)
            try file.writeAttribute("version", integer: Int64(ShardLayout.version))
            for group in ShardLayout.Path.groups { try file.createGroup(group) }
            typealias P = ShardLayout.Path
            inputIds = try BufferedColumn(in: file, path: P.inputIds, type: .int32, chunkRows: Chunking.tokens, compressionLevel: level)
            labels = try BufferedColumn(in: file, path: P.labels, type: .int32, chunkRows: Chunking.tokens, compressionLevel: level)
            tokenOffsets = try BufferedColumn(in: file, path: P.tokenOffsets, type: .int64, chunkRows: Chunking.offsets, compressionLevel: level)
            imageOffsets = try BufferedColumn(in: file, path: P.imageOffsets, type: .int64, chunkRows: Chunking.offsets, compressionLevel: level)
            modalities = try BufferedColumn(in: file, path: P.modality, type: .uint8, chunkRows: Chunking.modality, compressionLevel: level)
            sampleIds = try VariableLengthColumn(in: file, path: P.sampleIds, type: .variableString, chunkRows: Chunking.ids)
            switch storage {
            case .pixels:
                pixels = try ExtendibleDataset(in: file, path: P.pixels, type: .uint8, rowShape: [imageSize, imageSize, 3],
                                               chunkRows: Chunking.pixels, compressionLevel: level)
            case .encoded:
                encodedImages = try VariableLengthColumn(in: file, path: P.encoded, type: .variableBytes, chunkRows: Chunking.encoded)
                encodedFormats = try VariableLengthColumn(in: file, path: P.encodedFormat, type: .variableString, chunkRows: Chunking.encoded)
            }
            try tokenOffsets.append(0)
            try imageOffsets.append(0)
        }
    }

    public func append(_ sample: ShardSample) throws {
        try append(id: sample.id, modality: sample.modality, inputIds: sample.inputIds, labels: sample.labels, images: sample.images)
    }

    /// Appends one sample. It is checked first (nothing is written if it is invalid):
    /// ids and labels of equal length, images in this shard's storage and size, no images
    /// on a text sample, one -200 placeholder per image on an image sample, at least one
    /// frame on a video sample, and an id without NUL characters.
    public func append(id: String, modality: Modality, inputIds ids: [Int32], labels targets: [Int32], images: [ShardImage] = []) throws {
        guard !finished, file != nil else { throw ShardError(.invalidSample, file: path, "append after finish()") }
        if let failure { throw failure }
        try validate(id: id, modality: modality, inputIds: ids, labels: targets, images: images)
        do {
            try write(id: id, modality: modality, inputIds: ids, labels: targets, images: images)
        } catch {
            let reason = (error as? ShardError)?.problem ?? "\(error)"
            failure = ShardError(.ioFailure, file: path, "an earlier write failed (\(reason)); the shard cannot be finished")
            throw error
        }
    }

    private func write(id: String, modality: Modality, inputIds ids: [Int32], labels targets: [Int32], images: [ShardImage]) throws {
        try HDF5Library.locked {
            try inputIds.append(contentsOf: ids)
            try labels.append(contentsOf: targets)
            try modalities.append(modality.rawValue)
            try sampleIds.append(Array(id.utf8))
            for image in images {
                switch image {
                case .pixels(let bytes):
                    try bytes.withUnsafeBytes { try pixels!.append($0.baseAddress!, rows: 1) }
                case .encoded(let bytes, let format):
                    try encodedImages!.append(bytes)
                    try encodedFormats!.append(Array(format.rawValue.utf8))
                }
            }
            tokenCount += ids.count
            imageCount += images.count
            sampleCount += 1
            try tokenOffsets.append(Int64(tokenCount))
            try imageOffsets.append(Int64(imageCount))
        }
    }

    private func validate(id: String, modality: Modality, inputIds: [Int32], labels: [Int32], images: [ShardImage]) throws {
        func reject(_ problem: String) -> ShardError {
            ShardError(.invalidSample, file: path, "sample \(sampleCount) (id \"\(id)\"): \(problem)")
        }
        guard inputIds.count == labels.count else { throw reject("\(inputIds.count) input ids but \(labels.count) labels") }
        guard !id.utf8.contains(0) else { throw reject("the id contains a NUL character") }
        let pixelBytes = imageSize * imageSize * 3
        for (number, image) in images.enumerated() {
            guard image.storage == storage else { throw reject("image \(number) is \(image.storage.rawValue) but the shard stores \(storage.rawValue)") }
            if case .pixels(let bytes) = image, bytes.count != pixelBytes {
                throw reject("image \(number) has \(bytes.count) bytes, expected \(imageSize)x\(imageSize)x3 = \(pixelBytes)")
            }
        }
        switch modality {
        case .text:
            guard images.isEmpty else { throw reject("a text sample with \(images.count) images") }
        case .image:
            let placeholders = inputIds.lazy.filter { $0 == ShardLayout.imagePlaceholder }.count
            guard placeholders == images.count else { throw reject("\(placeholders) image placeholders (-200) but \(images.count) images") }
        case .video:
            guard !images.isEmpty else { throw reject("a video sample without frames") }
        }
    }

    /// Writes the last partial chunks, closes the file, hashes it, and renames it into
    /// place. Returns the shard's line for index.json.
    public func finish() throws -> ShardEntry {
        guard !finished, file != nil else { throw ShardError(.invalidSample, file: path, "finish() called twice") }
        if let failure {
            discard()
            throw failure
        }
        do {
            try HDF5Library.locked {
                try inputIds.finish()
                try labels.finish()
                try tokenOffsets.finish()
                try imageOffsets.finish()
                try modalities.finish()
                try sampleIds.finish()
                try encodedImages?.finish()
                try encodedFormats?.finish()
            }
            // The datasets close as they are released; then the file, which must be
            // complete on disk before it is hashed.
            let file = self.file!
            releaseHandles()
            try file.close()
            let digest = try SHA256.hashFile(atPath: temporaryPath)
            try ShardError.fromAtomic { try AtomicFile.commit(temporaryPath, to: path) }
            finished = true
            return ShardEntry(file: URL(fileURLWithPath: path).lastPathComponent, samples: sampleCount,
                              tokens: tokenCount, images: imageCount, sha256: digest.hexadecimal)
        } catch {
            discard()
            throw error
        }
    }

    /// Gives up on the shard: closes and deletes the temporary file.
    public func discard() {
        releaseHandles()
        unlink(temporaryPath)
        finished = true
    }

    /// Closes every dataset, then the file (the handles close themselves when released).
    private func releaseHandles() {
        inputIds = nil
        labels = nil
        tokenOffsets = nil
        imageOffsets = nil
        modalities = nil
        sampleIds = nil
        pixels = nil
        encodedImages = nil
        encodedFormats = nil
        file = nil
    }
}
