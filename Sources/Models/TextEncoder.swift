import Foundation
import Layers
import Tensors

/// A small bidirectional transformer over token ids with mean pooling: the text side of the
/// demo's CLIP training. Built from the ViT encoder layer (same pre-norm block).
public final class TextEncoder: Module {
    public struct Config: Equatable {
        public var vocabSize: Int
        public var hiddenSize: Int
        public var intermediateSize: Int
        public var numLayers: Int
        public var numHeads: Int
        public var maxPositions: Int

        public init(vocabSize: Int, hiddenSize: Int, intermediateSize: Int, numLayers: Int, numHeads: Int, maxPositions: Int) {
            self.vocabSize = vocabSize
            self.hiddenSize = hiddenSize
            self.intermediateSize = intermediateSize
            self.numLayers = numLayers
            self.numHeads = numHeads
            self.maxPositions = maxPositions
        }
    }

    public let config: Config
    let tokenEmbedding: Embedding
    let positionEmbedding: Embedding
    let layers: [ViTEncoderLayer]
    let finalNorm: LayerNorm

    public init(config c: Config, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        config = c
        tokenEmbedding = Embedding(c.vocabSize, c.hiddenSize, std: 0.02, rng: &rng)
        positionEmbedding = Embedding(c.maxPositions, c.hiddenSize, std: 0.01, rng: &rng)
        let vc = VisionConfig(family: .clip, hiddenSize: c.hiddenSize, intermediateSize: c.intermediateSize, numLayers: c.numLayers,
                              numHeads: c.numHeads, imageSize: 1, patchSize: 1, hiddenAct: .gelu, layerNormEps: 1e-5)
        layers = (0..<c.numLayers).map { _ in ViTEncoderLayer(vc, rng: &rng) }
        finalNorm = LayerNorm(c.hiddenSize, eps: 1e-5)
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.child("embeddings.token_embedding", tokenEmbedding)
        v.child("embeddings.position_embedding", positionEmbedding)
        v.children("encoder.layers", layers)
        v.child("final_layer_norm", finalNorm)
    }

    /// Mean-pooled features [N, D] of token rows (right-padded; padding masked out).
    public func callAsFunction(_ rows: [[Int32]]) throws -> Tensor {
        let n = rows.count, t = min(rows.map(\.count).max() ?? 1, config.maxPositions)
        var ids: [Int64] = [], mask: [Float] = []
        for r in rows {
            let kept = r.prefix(t)
            ids += kept.map(Int64.init) + [Int64](repeating: 0, count: t - kept.count)
            mask += [Float](repeating: 1, count: kept.count) + [Float](repeating: 0, count: t - kept.count)
        }
        let maskT = try Tensor(shape: [n, t], scalars: mask)
        var x = try tokenEmbedding(Tensor(shape: [n, t], int64s: ids)) + positionEmbedding.weight.slice(dim: 0, start: 0, end: t).unsqueeze(0)
        for l in layers { x = try l(x, keyMask: maskT) }
        x = try finalNorm(x)
        let counts = try Tensor(shape: [n, 1], scalars: rows.map { Float(max(1, min($0.count, t))) })
        return try (x * maskT.unsqueeze(-1)).sum(axes: [1]) / counts
    }
}
