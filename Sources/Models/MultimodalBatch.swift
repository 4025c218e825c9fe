import Foundation
import Tensors

/// A micro-batch in the LLaVA convention, as the data loader produces it: token ids with
/// one `-200` placeholder per image (`-201` per video), labels with -100 where no loss is
/// taken, and the images of all samples, in order, already normalised.
public struct MultimodalBatch {
    public static let imagePlaceholder: Int32 = -200
    public static let videoPlaceholder: Int32 = -201

    public var inputIds: [[Int32]]
    public var labels: [[Int32]]
    /// [M, 3, S, S] f32, the images (video frames) of every sample in order; nil without images.
    public var images: Tensor?
    /// Images (frames) per sample; sums to M.
    public var imageCounts: [Int]
    /// Global sample indices, for logging and debugging.
    public var sampleIndices: [Int]

    public init(inputIds: [[Int32]], labels: [[Int32]], images: Tensor?, imageCounts: [Int], sampleIndices: [Int] = []) {
        self.inputIds = inputIds
        self.labels = labels
        self.images = images
        self.imageCounts = imageCounts
        self.sampleIndices = sampleIndices
    }

    public var count: Int { inputIds.count }
    /// Tokens in the batch before image features are spliced in.
    public var textTokens: Int { inputIds.reduce(0) { $0 + $1.count } }
}

/// What the LLM sees for a multimodal batch after splicing: embeddings, labels and the mask.
public struct SplicedInputs {
    public var embeddings: Tensor
    public var labels: Tensor
    public var attentionMask: Tensor
    /// Real (non-padding) positions.
    public var tokens: Int
    /// Samples cut at `maxLength`.
    public var truncated: Int
    /// Position ids [B][T]: 0, 1, ... over each sample's real tokens (padding gets 0).
    public var positions: [[Int]]

    public init(embeddings: Tensor, labels: Tensor, attentionMask: Tensor, tokens: Int, truncated: Int, positions: [[Int]]) {
        self.embeddings = embeddings
        self.labels = labels
        self.attentionMask = attentionMask
        self.tokens = tokens
        self.truncated = truncated
        self.positions = positions
    }
}

extension LlavaModel {
    /// Expands each placeholder into its image's feature rows (a video placeholder into all of
    /// its sample's frames, concatenated), pads on the right to the longest sample, and
    /// truncates at `maxLength` as LLaVA's `prepare_inputs_labels_for_multimodal` does.
    /// Labels are -100 on image features and padding. `features` is [M, P, D] (projected).
    /// With `padLeft` the padding goes before each sample (for batched generation, so every
    /// row's last position is its last prompt token).
    public func splice(_ batch: MultimodalBatch, features: Tensor?, maxLength: Int, padLeft: Bool = false) throws -> SplicedInputs {
        let d = config.text.hiddenSize
        let p = features?.shape[1] ?? 0
        let m = features?.shape[0] ?? 0
        guard batch.imageCounts.reduce(0, +) == m else {
            throw TensorError.invalidArgument(op: "splice", message: "batch has \(batch.imageCounts.reduce(0, +)) images but \(m) feature sets")
        }
        // Text ids with placeholders replaced by 0 (their embeddings are never used).
        let flatIds: [Int64] = batch.inputIds.flatMap { ids in ids.map { $0 < 0 ? Int64(0) : Int64($0) } }
        let textRows = flatIds.count
        let text = try llm.embed(Tensor(shape: [1, textRows], int64s: flatIds)).reshape([textRows, d])
        var rowsPerSample: [[Int]] = [], labelsPerSample: [[Int32]] = []
        var textOffset = 0, imageOffset = 0, truncated = 0
        let zeroRow = textRows + m * p
        for (s, ids) in batch.inputIds.enumerated() {
            var rows: [Int] = [], labels: [Int32] = []
            let lab = batch.labels[s]
            var sampleImage = imageOffset
            for (i, id) in ids.enumerated() {
                if id == MultimodalBatch.imagePlaceholder || id == MultimodalBatch.videoPlaceholder {
                    let frames = id == MultimodalBatch.videoPlaceholder ? batch.imageCounts[s] - (sampleImage - imageOffset) : 1
                    for f in 0..<frames {
                        let base = textRows + (sampleImage + f) * p
                        rows.append(contentsOf: base..<(base + p))
                        labels.append(contentsOf: repeatElement(-100, count: p))
                    }
                    sampleImage += frames
                } else {
                    rows.append(textOffset + i)
                    labels.append(lab[i])
                }
            }
            guard sampleImage - imageOffset == batch.imageCounts[s] else {
                throw TensorError.invalidArgument(op: "splice", message: "sample \(s) has \(batch.imageCounts[s]) images but \(sampleImage - imageOffset) placeholders")
            }
            if rows.count > maxLength {
                rows.removeLast(rows.count - maxLength)
                labels.removeLast(labels.count - maxLength)
                truncated += 1
            }
            rowsPerSample.append(rows)
            labelsPerSample.append(labels)
            textOffset += ids.count
            imageOffset += batch.imageCounts[s]
        }
        let t = rowsPerSample.map(\.count).max() ?? 0
        var index: [Int] = [], labelsFlat: [Int64] = [], mask: [Float] = [], positions: [[Int]] = []
        for (rows, labels) in zip(rowsPerSample, labelsPerSample) {
            let pad = t - rows.count
            if padLeft {
                index.append(contentsOf: [Int](repeating: zeroRow, count: pad) + rows)
                labelsFlat.append(contentsOf: [Int64](repeating: -100, count: pad) + labels.map(Int64.init))
                mask.append(contentsOf: [Float](repeating: 0, count: pad) + [Float](repeating: 1, count: rows.count))
                positions.append([Int](repeating: 0, count: pad) + Array(0..<rows.count))
            } else {
                index.append(contentsOf: rows + [Int](repeating: zeroRow, count: pad))
                labelsFlat.append(contentsOf: labels.map(Int64.init) + [Int64](repeating: -100, count: pad))
                mask.append(contentsOf: [Float](repeating: 1, count: rows.count) + [Float](repeating: 0, count: pad))
                positions.append(Array(0..<rows.count) + [Int](repeating: 0, count: pad))
            }
        }
        var parts = [text]
        if let features { parts.append(try features.reshape([m * p, d])) }
        parts.append(Tensor.zeros([1, d]))
        let all = try Tensor.concat(parts, dim: 0)
        let b = batch.count
        return SplicedInputs(embeddings: try all.indexSelect(dim: 0, indices: index).reshape([b, t, d]),
                             labels: try Tensor(shape: [b, t], int64s: labelsFlat),
                             attentionMask: try Tensor(shape: [b, t], scalars: mask),
                             tokens: rowsPerSample.reduce(0) { $0 + $1.count }, truncated: truncated, positions: positions)
    }
}
