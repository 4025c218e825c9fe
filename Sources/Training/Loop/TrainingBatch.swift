import Foundation
import Models
import Tensors

/// One micro-batch for any stage.
public enum TrainingBatch {
    /// LLaVA stages: ids with image placeholders, labels, images.
    case multimodal(MultimodalBatch)
    /// `lm-pretrain`: ids and labels (-100 = no loss), one row per sample.
    case text(ids: [[Int32]], labels: [[Int32]])
    /// `clip`: images [N, 3, S, S] and the token ids of their captions.
    case pairs(images: Tensor, captions: [[Int32]])

    public var count: Int {
        switch self {
        case .multimodal(let b): return b.count
        case .text(let ids, _): return ids.count
        case .pairs(_, let c): return c.count
        }
    }
}

/// Where training batches come from. Batches are a pure function of (epoch, cursor, size):
/// the sample order of an epoch depends only on the seed and the epoch, so a resumed run
/// reads exactly what an uninterrupted one would.
public protocol BatchSource: AnyObject {
    /// Samples in one epoch.
    var samplesPerEpoch: Int { get }
    /// The micro-batch of `size` samples starting at `cursor` within `epoch` (fewer at the
    /// end of an epoch).
    func batch(epoch: Int, cursor: Int, size: Int) throws -> TrainingBatch
}
