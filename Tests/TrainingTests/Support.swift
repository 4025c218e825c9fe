import Foundation
import XCTest
import Models
import Tensors
@testable import Training

func temporaryFolder(_ test: XCTestCase) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-train-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir.path
}

/// 1-based line of the first line of `text` containing `needle`.
func line(of needle: String, in text: String) -> Int {
    (text.components(separatedBy: "\n").firstIndex { $0.contains(needle) } ?? -1) + 1
}

func writeRecipe(_ text: String, in folder: String, name: String = "r.yaml") throws -> String {
    let path = folder + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A tiny LLaVA recipe with inline random-weight configs.
func tinyLlavaRecipe(stage: String, extra: String = "") -> String {
    """
    stage: \(stage)
    seed: 7
    model:
      vision:
        config: {model_type: clip_vision_model, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2,
                 num_attention_heads: 2, image_size: 8, patch_size: 4}
      llm:
        config: {vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2,
                 num_attention_heads: 2, num_key_value_heads: 1, initializer_range: 0.15}
    \(extra)
    data:
      train: unused
      max_length: 64
    optim:
      lr: 0.01
    train:
      global_batch: 4
      micro_batch: 2
      max_steps: 6
    schedule:
      warmup_steps: 1
    checkpoint:
      every: 2
      keep_last: 2
    log:
      every: 1
    """
}

/// Deterministic synthetic image-text samples: the caption tokens depend on the image, so
/// the projector has something to learn.
final class SyntheticSource: BatchSource {
    let samples: Int
    let imageSize: Int
    init(samples: Int, imageSize: Int) {
        self.samples = samples
        self.imageSize = imageSize
    }

    var samplesPerEpoch: Int { samples }

    func batch(epoch: Int, cursor: Int, size: Int) throws -> TrainingBatch {
        var rng = RandomGenerator(seed: UInt64(epoch))
        let order = rng.permutation(samples)
        let picked = Array(order[cursor..<min(cursor + size, samples)])
        var ids: [[Int32]] = [], labels: [[Int32]] = [], images: [Tensor] = []
        for s in picked {
            var r = RandomGenerator(seed: UInt64(s) + 100)
            let cls = Int32(s % 4)
            images.append(Tensor.full([1, 3, imageSize, imageSize], Float(cls) - 1.5))
            _ = r.next()
            let caption: [Int32] = [10 + cls, 20 + cls, 30 + cls, 2]
            ids.append([1, MultimodalBatch.imagePlaceholder] + caption)
            labels.append([-100, -100] + caption)
        }
        let imgs = try Tensor.concat(images, dim: 0)
        return .multimodal(MultimodalBatch(inputIds: ids, labels: labels, images: imgs, imageCounts: picked.map { _ in 1 }, sampleIndices: picked))
    }
}
