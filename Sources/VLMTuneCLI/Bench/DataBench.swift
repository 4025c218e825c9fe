import ArgumentParser
import DataPipeline
import Foundation
import Imaging
import Shards

/// `vlmtune bench data`: how fast the loader turns shards into training batches (reading
/// HDF5, zstd, normalising pixels or decoding PNG/JPEG, padding), alone on the machine.
struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Loader throughput on a shard folder: samples/s and MB/s of batches, one JSON line.",
        discussion: """
        Reads --batches micro-batches of --micro-batch samples in shuffled epoch order, with \
        the prefetch thread as training uses it, and reports samples/s. Compare with what a \
        training step consumes: the `small` benchmark takes 4 samples per step.

        Example:
          vlmtune bench data --shards Checkpoints/demo/shards/instruct --micro-batch 4
        """)

    @Option(help: "A shard folder (made by `vlmtune data convert`).") var shards: String
    @Option(help: "Samples per batch.") var microBatch = 4
    @Option(help: "Batches to time (after 2 untimed).") var batches = 200
    @Option(help: "Batches prepared ahead (as data.prefetch).") var prefetch = 4

    func run() throws {
        try reportingErrors {
            let index = try ShardIndex.read(fromFolder: shards)
            let side = index.image.size
            let preprocessor = index.image.storage == .encoded
                ? try ImagePreprocessor(config: .clip(side: side), mode: index.image.mode == "resize" ? .resize : .pad) : nil
            let kind: ShardBatchSource.Kind = index.shards.allSatisfy { $0.images == 0 } ? .text : .multimodal
            let source = try ShardBatchSource(folder: shards, seed: 0, shuffle: true, kind: kind, microBatch: microBatch,
                                              megabatch: microBatch, groupByModality: false, prefetch: prefetch, preprocessor: preprocessor)
            var cursor = 0, epoch = 0, samples = 0, images = 0, tokens = 0
            func next() throws {
                if cursor >= source.samplesPerEpoch { epoch += 1; cursor = 0 }
                let b = try source.batch(epoch: epoch, cursor: cursor, size: microBatch)
                cursor += b.count
                samples += b.count
                if case .multimodal(let m) = b {
                    images += m.imageCounts.reduce(0, +)
                    tokens += m.inputIds.reduce(0) { $0 + $1.count }
                }
            }
            for _ in 0..<2 { try next() }
            samples = 0; images = 0; tokens = 0
            let t0 = Timing.now()
            for _ in 0..<batches { try next() }
            let seconds = Timing.now() - t0
            let result: [String: Any] = [
                "bench": "data", "shards": shards, "micro_batch": microBatch, "batches": batches, "seconds": seconds,
                "samples_per_s": Double(samples) / seconds, "images_per_s": Double(images) / seconds,
                "tokens_per_s": Double(tokens) / seconds, "image_size": side, "storage": index.image.storage.rawValue,
                "peak_rss_mb": Timing.peakRSSMiB(),
            ]
            print(String(data: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), encoding: .utf8)!)
        }
    }
}
