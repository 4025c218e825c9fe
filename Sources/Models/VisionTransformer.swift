import Foundation
import Layers
import Tensors

final class ViTAttention: Module {
    let qProj, kProj, vProj, outProj: Linear
    let numHeads: Int

    init(_ c: VisionConfig, rng: inout RandomGenerator) {
        qProj = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        kProj = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        vProj = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        outProj = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        numHeads = c.numHeads
    }

    func visit(_ v: inout ParameterVisitor) {
        v.child("q_proj", qProj)
        v.child("k_proj", kProj)
        v.child("v_proj", vProj)
        v.child("out_proj", outProj)
    }

    func callAsFunction(_ x: Tensor, keyMask: Tensor? = nil) throws -> Tensor {
        let (n, s, d) = (x.shape[0], x.shape[1], x.shape[2])
        let hd = d / numHeads
        func heads(_ t: Tensor) throws -> Tensor { try t.reshape([n, s, numHeads, hd]).permute([0, 2, 1, 3]) }
        let o = try Tensor.attention(q: heads(qProj(x)), k: heads(kProj(x)), v: heads(vProj(x)), causal: false, keyMask: keyMask)
        return try outProj(o.permute([0, 2, 1, 3]).reshape([n, s, d]))
    }
}

final class ViTEncoderLayer: Module {
    let selfAttn: ViTAttention
    let layerNorm1, layerNorm2: LayerNorm
    let fc1, fc2: Linear
    let act: Activation

    init(_ c: VisionConfig, rng: inout RandomGenerator) {
        selfAttn = ViTAttention(c, rng: &rng)
        layerNorm1 = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        layerNorm2 = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        fc1 = Linear(c.hiddenSize, c.intermediateSize, rng: &rng)
        fc2 = Linear(c.intermediateSize, c.hiddenSize, rng: &rng)
        act = c.hiddenAct
    }

    func visit(_ v: inout ParameterVisitor) {
        v.child("self_attn", selfAttn)
        v.child("layer_norm1", layerNorm1)
        v.child("mlp.fc1", fc1)
        v.child("mlp.fc2", fc2)
        v.child("layer_norm2", layerNorm2)
    }

    func callAsFunction(_ x: Tensor, keyMask: Tensor? = nil) throws -> Tensor {
        let h = try x + selfAttn(layerNorm1(x), keyMask: keyMask)
        return try h + fc2(act(fc1(layerNorm2(h))))
    }
}

/// The vision part of CLIP (`CLIPVisionModel`) or SigLIP (`SiglipVisionModel`). Keys start
/// with `vision_model.`; SigLIP's attention-pooling `head` is not used by LLaVA-style models
/// and is not loaded.
public final class VisionTransformer: Module {
    public let config: VisionConfig
    var classEmbedding: Tensor?
    let patchEmbedding: Conv2d
    let positionEmbedding: Embedding
    let preLayernorm: LayerNorm?
    let layers: [ViTEncoderLayer]
    let postLayernorm: LayerNorm

    public init(config c: VisionConfig, seed: UInt64 = 0) {
        var rng = RandomGenerator(seed: seed)
        config = c
        let d = c.hiddenSize, p = c.patchSize
        classEmbedding = c.family == .clip ? Tensor.randn([d], std: 0.02, rng: &rng) : nil
        patchEmbedding = Conv2d(weight: Tensor.randn([d, c.numChannels, p, p], std: 0.02, rng: &rng),
                                bias: c.family == .siglip ? Tensor.zeros([d]) : nil, stride: (p, p))
        positionEmbedding = Embedding(c.sequenceLength, d, std: 0.02, rng: &rng)
        preLayernorm = c.family == .clip ? LayerNorm(d, eps: c.layerNormEps) : nil
        layers = (0..<c.numLayers).map { _ in ViTEncoderLayer(c, rng: &rng) }
        postLayernorm = LayerNorm(d, eps: c.layerNormEps)
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.param("vision_model.embeddings.class_embedding", &classEmbedding)
        v.child("vision_model.embeddings.patch_embedding", patchEmbedding)
        v.child("vision_model.embeddings.position_embedding", positionEmbedding)
        v.child("vision_model.pre_layrnorm", preLayernorm)
        v.children("vision_model.encoder.layers", layers)
        v.child("vision_model.post_layernorm", postLayernorm)
    }

    /// Hidden states of pixel values [N, C, H, W]: the embeddings (after CLIP's pre-LayerNorm)
    /// followed by each layer's output, as transformers' `hidden_states`. With `layers`, stops
    /// after that many encoder layers (LLaVA reads layer -2 and never needs the last one).
    public func hiddenStates(_ pixels: Tensor, layers count: Int? = nil) throws -> [Tensor] {
        let c = config
        guard pixels.rank == 4, pixels.shape[1] == c.numChannels, pixels.shape[2] == c.imageSize, pixels.shape[3] == c.imageSize else {
            throw TensorError.shapeMismatch(op: "vision tower pixel_values", lhs: pixels.shape, rhs: [-1, c.numChannels, c.imageSize, c.imageSize])
        }
        let n = pixels.shape[0], d = c.hiddenSize
        var x = try patchEmbedding(pixels).flatten(from: 2).transposed(1, 2)  // [N, P, D]
        if let cls = classEmbedding {
            x = try Tensor.concat([cls.reshape([1, 1, d]).expand([n, 1, d]), x], dim: 1)
        }
        x = try x + positionEmbedding.weight.unsqueeze(0)
        if let preLayernorm { x = try preLayernorm(x) }
        var states = [x]
        for layer in layers.prefix(count ?? layers.count) {
            x = try layer(x)
            states.append(x)
        }
        return states
    }

    /// CLIP's pooled output: the post-LayerNormed class token (SigLIP: the mean of the
    /// post-LayerNormed tokens, standing in for its attention-pooling head).
    public func pooled(from states: [Tensor]) throws -> Tensor {
        let last = try postLayernorm(states.last!)
        if config.family == .clip { return try last.slice(dim: 1, start: 0, end: 1).squeeze(1) }
        return try last.mean(axes: [1])
    }

    /// transformers' `last_hidden_state`: the last layer's output (SigLIP: after its
    /// post-LayerNorm; CLIP applies its post-LayerNorm only to the pooled class token).
    public func lastHiddenState(from states: [Tensor]) throws -> Tensor {
        config.family == .siglip ? try postLayernorm(states.last!) : states.last!
    }
}
