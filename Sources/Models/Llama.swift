import Foundation
import Layers
import Tensors

/// Multi-head attention with grouped KV heads and rotary embeddings (Llama, Qwen2).
public final class LlamaAttention: Module {
    public let qProj, kProj, vProj, oProj: Linear
    let numHeads, numKVHeads, headDim: Int

    init(_ c: LlamaConfig, rng: inout RandomGenerator) {
        let d = c.hiddenSize
        qProj = Linear(d, c.numHeads * c.headDim, bias: c.qkvBias, std: c.initializerRange, rng: &rng)
        kProj = Linear(d, c.numKVHeads * c.headDim, bias: c.qkvBias, std: c.initializerRange, rng: &rng)
        vProj = Linear(d, c.numKVHeads * c.headDim, bias: c.qkvBias, std: c.initializerRange, rng: &rng)
        oProj = Linear(c.numHeads * c.headDim, d, bias: c.oBias, std: c.initializerRange, rng: &rng)
        numHeads = c.numHeads
        numKVHeads = c.numKVHeads
        headDim = c.headDim
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.child("q_proj", qProj)
        v.child("k_proj", kProj)
        v.child("v_proj", vProj)
        v.child("o_proj", oProj)
    }

    /// The heads' outputs side by side, x [B, T, D] -> [B, T, heads * head_dim]: everything
    /// before o_proj, which the decoder layer applies (to every row, or to the rows it keeps).
    /// `keyMask` [B, S] covers cached + new positions.
    func heads(_ x: Tensor, cos: Tensor, sin: Tensor, keyMask: Tensor?, cache: KVCache?, layer: Int) throws -> Tensor {
        let b = x.shape[0], t = x.shape[1]
        let q = try qProj(x).reshape([b, t, numHeads, headDim]).permute([0, 2, 1, 3]).rotaryEmbedding(cos: cos, sin: sin)
        var k = try kProj(x).reshape([b, t, numKVHeads, headDim]).permute([0, 2, 1, 3]).rotaryEmbedding(cos: cos, sin: sin)
        var v = try vProj(x).reshape([b, t, numKVHeads, headDim]).permute([0, 2, 1, 3])
        if let cache { (k, v) = try cache.append(layer: layer, k: k, v: v) }
        let o = try Tensor.attention(q: q, k: k, v: v, causal: true, keyMask: keyMask)
        return try o.permute([0, 2, 1, 3]).reshape([b, t, numHeads * headDim])
    }
}

/// The gated MLP: down(act(gate(x)) * up(x)).
public final class LlamaMLP: Module {
    public let gateProj, upProj, downProj: Linear
    let act: Activation

    init(_ c: LlamaConfig, rng: inout RandomGenerator) {
        gateProj = Linear(c.hiddenSize, c.intermediateSize, bias: c.mlpBias, std: c.initializerRange, rng: &rng)
        upProj = Linear(c.hiddenSize, c.intermediateSize, bias: c.mlpBias, std: c.initializerRange, rng: &rng)
        downProj = Linear(c.intermediateSize, c.hiddenSize, bias: c.mlpBias, std: c.initializerRange, rng: &rng)
        act = c.hiddenAct
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.child("gate_proj", gateProj)
        v.child("up_proj", upProj)
        v.child("down_proj", downProj)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        if act == .silu { return try downProj(gateProj(x).swiglu(upProj(x))) }
        return try downProj(act(gateProj(x)) * upProj(x))
    }
}

public final class LlamaDecoderLayer: Module {
    public let selfAttn: LlamaAttention
    public let mlp: LlamaMLP
    public let inputLayernorm, postAttentionLayernorm: RMSNorm

    init(_ c: LlamaConfig, rng: inout RandomGenerator) {
        selfAttn = LlamaAttention(c, rng: &rng)
        mlp = LlamaMLP(c, rng: &rng)
        inputLayernorm = RMSNorm(c.hiddenSize, eps: c.rmsNormEps)
        postAttentionLayernorm = RMSNorm(c.hiddenSize, eps: c.rmsNormEps)
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.child("self_attn", selfAttn)
        v.child("mlp", mlp)
        v.child("input_layernorm", inputLayernorm)
        v.child("post_attention_layernorm", postAttentionLayernorm)
    }

    /// x [B, T, D] -> [B, T, D]; with `rows` (indices into the flattened [B * T] positions)
    /// only those rows, [rows, D]: every position still goes through attention (as a key and
    /// value, and into the cache), but o_proj, the residual and the MLP run on `rows` alone.
    func callAsFunction(_ x: Tensor, cos: Tensor, sin: Tensor, keyMask: Tensor?, cache: KVCache?, layer: Int, rows: [Int]? = nil) throws -> Tensor {
        var heads = try selfAttn.heads(inputLayernorm(x), cos: cos, sin: sin, keyMask: keyMask, cache: cache, layer: layer)
        var residual = x
        if let rows {
            func pick(_ t: Tensor) throws -> Tensor { try t.reshape([t.shape[0] * t.shape[1], t.shape[2]]).indexSelect(dim: 0, indices: rows) }
            (heads, residual) = (try pick(heads), try pick(x))
        }
        let h = try residual + selfAttn.oProj(heads)
        return try h + mlp(postAttentionLayernorm(h))
    }
}

/// LlamaForCausalLM / Qwen2ForCausalLM. Keys: `model.embed_tokens`, `model.layers.N.*`,
/// `model.norm`, `lm_head` (absent when the embeddings are tied).
public final class LlamaForCausalLM: Module {
    public let config: LlamaConfig
    public let embedTokens: Embedding
    public let layers: [LlamaDecoderLayer]
    public let norm: RMSNorm
    public let lmHead: Linear?
    let rotary: RotaryEmbedding
    /// Recompute each decoder layer in the backward pass instead of keeping its activations.
    public var gradientCheckpointing = false
    /// Randomness to replay when a checkpointed layer is recomputed (LoRA dropout).
    public var replay: ReplayHooks?

    /// A model with random weights, initialised as transformers does: every matrix (embeddings
    /// included) normal(0, `initializer_range`), biases zero, norms one.
    public init(config c: LlamaConfig, seed: UInt64 = 0) {
        var rng = RandomGenerator(seed: seed)
        config = c
        embedTokens = Embedding(c.vocabSize, c.hiddenSize, std: c.initializerRange, rng: &rng)
        layers = (0..<c.numLayers).map { _ in LlamaDecoderLayer(c, rng: &rng) }
        norm = RMSNorm(c.hiddenSize, eps: c.rmsNormEps)
        lmHead = c.tieWordEmbeddings ? nil : Linear(c.hiddenSize, c.vocabSize, bias: false, std: c.initializerRange, rng: &rng)
        rotary = RotaryEmbedding(headDim: c.headDim, rope: c.rope)
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.child("model.embed_tokens", embedTokens)
        v.children("model.layers", layers)
        v.child("model.norm", norm)
        v.child("lm_head", lmHead)
    }

    /// Token embeddings [B, T, D] of integer ids [B, T].
    public func embed(_ ids: Tensor) throws -> Tensor { try embedTokens(ids) }

    /// The final hidden states [B, T, D] (after the last norm).
    /// - positions: position ids [B][T]; default `cache.length ..< cache.length + T`.
    /// - attentionMask: [B, S] with 1 for real tokens and 0 for padding, S = cached + T.
    /// - rows: when given, the final hidden states of these positions only (indices into the
    ///   flattened [B * T] positions), [rows, D]: the last layer runs o_proj and its MLP on
    ///   them alone, since nothing else reads its other positions. With LoRA dropout the
    ///   masks of those products are drawn for these rows only: the same distribution as the
    ///   full computation, another random stream.
    public func hiddenStates(inputsEmbeds x: Tensor, positions: [[Int]]? = nil, attentionMask: Tensor? = nil,
                             cache: KVCache? = nil, rows: [Int]? = nil) throws -> Tensor {
        guard x.rank == 3, x.shape[2] == config.hiddenSize else {
            throw TensorError.shapeMismatch(op: "llm inputs_embeds", lhs: x.shape, rhs: [-1, -1, config.hiddenSize])
        }
        if let rows, rows.isEmpty || layers.isEmpty {
            throw TensorError.invalidArgument(op: "llm hidden states", message: "rows needs at least one row and one layer")
        }
        let b = x.shape[0], t = x.shape[1]
        let past = cache?.length ?? 0
        let pos = positions ?? Array(repeating: Array(past..<(past + t)), count: b)
        let (cos, sin) = try rotary.tables(positions: pos)
        var h = x
        for (i, layer) in layers.enumerated() {
            let kept = i == layers.count - 1 ? rows : nil
            if gradientCheckpointing && cache == nil {
                h = try Tensor.checkpointed(h, replay: replay) { x in
                    try layer(x, cos: cos, sin: sin, keyMask: attentionMask, cache: nil, layer: i, rows: kept)
                }
            } else {
                h = try layer(h, cos: cos, sin: sin, keyMask: attentionMask, cache: cache, layer: i, rows: kept)
            }
        }
        return try norm(h)
    }

    /// The output projection (the tied embedding matrix when `lm_head` is absent).
    public var outputWeight: Tensor { lmHead?.weight ?? embedTokens.weight }

    /// Logits [B, T, V] of final hidden states.
    public func logits(_ hidden: Tensor) throws -> Tensor {
        if let lmHead { return try lmHead(hidden) }
        return try hidden.linear(weight: embedTokens.weight)
    }

    /// The training loss, `shiftedLoss(logits: logits(hiddenStates(...)), labels:)`, computed
    /// only where it counts: positions whose next label is -100 (LLaVA's prompts, images and
    /// system text: 38% of the `small` benchmark's rows, half of `tiny`'s, 95% of the demo's
    /// stage 2) leave the last layer before its o_proj and MLP (`hiddenStates(rows:)`), and the
    /// LM head and the cross-entropy run on the trained tokens alone. Same value and gradients
    /// as the full computation (up to the order of floating-point sums; with LoRA dropout, up
    /// to which masks are drawn).
    public func labelledLoss(inputsEmbeds x: Tensor, attentionMask: Tensor?, labels: Tensor) throws -> Tensor {
        let b = x.shape[0], t = x.shape[1]
        guard labels.shape == [b, t] else { throw TensorError.shapeMismatch(op: "loss labels", lhs: [b, t], rhs: labels.shape) }
        let lab = labels.integers
        var rows: [Int] = [], targets: [Int64] = []
        for i in 0..<b {
            for j in 0..<Swift.max(t - 1, 0) where lab[i * t + j + 1] != -100 {
                rows.append(i * t + j)
                targets.append(Int64(lab[i * t + j + 1]))
            }
        }
        // Nothing to learn: the full computation gives the same (empty-mean) result.
        if rows.isEmpty {
            return try Self.shiftedLoss(logits: logits(hiddenStates(inputsEmbeds: x, attentionMask: attentionMask)), labels: labels)
        }
        let picked = try hiddenStates(inputsEmbeds: x, attentionMask: attentionMask, rows: rows)
        return try logits(picked).crossEntropy(targets: Tensor(shape: [rows.count], int64s: targets))
    }

    /// Mean next-token cross-entropy: logits at t predict labels at t+1; -100 ignored.
    public static func shiftedLoss(logits: Tensor, labels: Tensor) throws -> Tensor {
        let t = logits.shape[1]
        guard labels.shape == Array(logits.shape.dropLast()) else {
            throw TensorError.shapeMismatch(op: "loss labels", lhs: Array(logits.shape.dropLast()), rhs: labels.shape)
        }
        if t < 2 { return Tensor.scalar(0) }
        let shiftedLogits = try logits.slice(dim: 1, start: 0, end: t - 1)
        let shiftedLabels = try labels.slice(dim: 1, start: 1, end: t).contiguous()
        return try shiftedLogits.crossEntropy(targets: shiftedLabels)
    }
}
