import Foundation
import Imaging
import Models
import Shards
import Tensors
import Training

/// Training batches read from a shard folder: the epoch's sample order, the samples'
/// tokens and images, images normalised to f32 at load time, with the next micro-batches
/// prepared on a background thread (at most `prefetch` of them held in memory).
public final class ShardBatchSource: BatchSource {
    public let dataset: ShardDataset
    public let order: EpochOrder
    public let kind: Kind
    let normalizer: PixelNormalizer
    let imageSide: Int
    /// Decodes and preprocesses images of `encoded` shards.
    let preprocessor: ImagePreprocessor?
    let prefetcher: Prefetcher

    public enum Kind { case multimodal, text, pairs }

    public var samplesPerEpoch: Int { dataset.count }

    /// - preprocessor: required when the shards store encoded images.
    public init(folder: String, seed: UInt64, shuffle: Bool, kind: Kind, microBatch: Int, megabatch: Int,
                groupByModality: Bool, prefetch: Int, preprocessor: ImagePreprocessor? = nil) throws {
        dataset = try ShardDataset(folder: folder)
        try dataset.validate()
        let settings = dataset.index.image
        imageSide = settings.size
        normalizer = PixelNormalizer(mean: settings.mean, std: settings.std)
        self.preprocessor = preprocessor
        self.kind = kind
        if settings.storage == .encoded && preprocessor == nil && dataset.index.imageCount > 0 {
            throw TrainingError("shards store encoded images; a preprocessor is needed to decode them", at: folder)
        }
        var lengths: [Int]?
        if groupByModality {
            var ls: [Int] = []
            for s in 0..<dataset.shardCount {
                let r = try dataset.reader(forShard: s)
                for i in 0..<r.sampleCount {
                    let n = try r.tokenRange(ofSample: i).count
                    ls.append(try r.modality(ofSample: i) == .text ? -max(n, 1) : max(n, 1))
                }
            }
            lengths = ls
        }
        order = EpochOrder(count: dataset.count, seed: seed, shuffle: shuffle, lengths: lengths, megabatch: megabatch,
                           groupByModality: groupByModality)
        prefetcher = Prefetcher(depth: max(prefetch, 0), microBatch: microBatch)
        prefetcher.source = self
    }

    deinit { prefetcher.stop() }

    public func batch(epoch: Int, cursor: Int, size: Int) throws -> TrainingBatch {
        try prefetcher.take(epoch: epoch, cursor: cursor, size: size)
    }

    /// Reads one micro-batch (called by the prefetcher, possibly on its thread).
    func load(epoch: Int, cursor: Int, size: Int) throws -> TrainingBatch {
        let idx = order.indices(epoch: epoch)
        let picked = Array(idx[cursor..<min(cursor + size, idx.count)])
        var ids: [[Int32]] = [], labels: [[Int32]] = [], images: [[ShardImage]] = []
        for g in picked {
            let s = try dataset.sample(at: g)
            ids.append(s.inputIds)
            labels.append(s.labels)
            images.append(s.images)
        }
        switch kind {
        case .text:
            return .text(ids: ids, labels: labels)
        case .pairs:
            // One image and its caption: the trained tokens of a plain-template sample.
            guard images.allSatisfy({ $0.count == 1 }) else {
                throw TrainingError("stage clip needs exactly one image per sample", at: dataset.folder)
            }
            let side = imageSide
            let t = Tensor(empty: [picked.count, 3, side, side])
            for (k, list) in images.enumerated() { try normalise(list[0], into: t.floatPointer + k * 3 * side * side) }
            let captions = zip(ids, labels).map { row, lab in zip(row, lab).filter { $0.1 != -100 }.map(\.0) }
            return .pairs(images: t, captions: captions)
        case .multimodal:
            let m = images.reduce(0) { $0 + $1.count }
            let side = imageSide
            var tensor: Tensor? = nil
            if m > 0 {
                let t = Tensor(empty: [m, 3, side, side])
                var k = 0
                for list in images {
                    for img in list {
                        try normalise(img, into: t.floatPointer + k * 3 * side * side)
                        k += 1
                    }
                }
                tensor = t
            }
            return .multimodal(MultimodalBatch(inputIds: ids, labels: labels, images: tensor, imageCounts: images.map(\.count),
                                               sampleIndices: picked))
        }
    }

    func normalise(_ image: ShardImage, into out: UnsafeMutablePointer<Float>) throws {
        switch image {
        case .pixels(let bytes):
            guard bytes.count == imageSide * imageSide * 3 else {
                throw TrainingError("image of \(bytes.count) bytes in a shard of \(imageSide)x\(imageSide) images", at: dataset.folder)
            }
            bytes.withUnsafeBufferPointer { normalizer.normalize(pixels: $0.baseAddress!, pixelCount: imageSide * imageSide, into: out) }
        case .encoded(let bytes, _):
            let decoded = try RGBImage(decoding: Data(bytes))
            let pre = preprocessor!.preprocess(decoded)
            pre.pixels.withUnsafeBufferPointer { normalizer.normalize(pixels: $0.baseAddress!, pixelCount: imageSide * imageSide, into: out) }
        }
    }
}

/// Prepares the micro-batches that follow the last one taken on a background thread. A
/// request that is not the predicted next one (after a resume, say) is served directly and
/// the prediction restarts from it.
final class Prefetcher: @unchecked Sendable {
    weak var source: ShardBatchSource?
    let depth: Int
    let microBatch: Int
    private let cond = NSCondition()
    private var ready: [Key: Result<TrainingBatch, Error>] = [:]
    private var queue: [Key] = []
    private var generation = 0
    private var worker: Thread?

    struct Key: Hashable { let epoch, cursor, size: Int }

    init(depth: Int, microBatch: Int) {
        self.depth = depth
        self.microBatch = microBatch
    }

    private var stopped = false

    /// Ends the background thread (the owning source calls this when it goes away).
    func stop() {
        cond.lock()
        stopped = true
        generation += 1
        queue = []
        cond.broadcast()
        cond.unlock()
    }

    func take(epoch: Int, cursor: Int, size: Int) throws -> TrainingBatch {
        guard let source else { throw TrainingError("data source released") }
        let key = Key(epoch: epoch, cursor: cursor, size: size)
        if depth == 0 { return try source.load(epoch: epoch, cursor: cursor, size: size) }
        cond.lock()
        if ready[key] == nil && !queue.contains(key) {
            // Not predicted: restart the prediction from here.
            generation += 1
            ready = [:]
            queue = [key]
            startWorkerIfNeeded()
            cond.broadcast()
        }
        while ready[key] == nil { cond.wait() }
        let result = ready.removeValue(forKey: key)!
        // Predict the batches after this one.
        var next = key
        var planned = Set(queue).union(ready.keys)
        while planned.count < depth {
            next = following(next, count: source.samplesPerEpoch)
            if !planned.contains(next) { queue.append(next); planned.insert(next) } else { break }
        }
        cond.broadcast()
        cond.unlock()
        return try result.get()
    }

    /// The micro-batch after `k` (the trainer never crosses an epoch inside a batch).
    func following(_ k: Key, count: Int) -> Key {
        let c = k.cursor + k.size
        return c >= count ? Key(epoch: k.epoch + 1, cursor: 0, size: microBatch) : Key(epoch: k.epoch, cursor: c, size: microBatch)
    }

    private func startWorkerIfNeeded() {
        guard worker == nil else { return }
        let t = Thread { self.work() }
        t.name = "vlmtune-prefetch"
        worker = t
        t.start()
    }

    private func work() {
        while true {
            cond.lock()
            while queue.isEmpty && !stopped { cond.wait() }
            if stopped {
                cond.unlock()
                return
            }
            let key = queue.removeFirst()
            let gen = generation
            cond.unlock()
            guard let source else { return }
            let result = Result { try source.load(epoch: key.epoch, cursor: min(key.cursor, source.samplesPerEpoch), size: key.size) }
            cond.lock()
            if gen == generation { ready[key] = result }
            cond.broadcast()
            cond.unlock()
        }
    }
}
