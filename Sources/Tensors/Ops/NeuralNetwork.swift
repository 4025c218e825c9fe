/// Softmax, losses, normalisation, rotary embedding, attention, convolution, pooling, dropout.
extension Tensor {
    /// Softmax over the last dimension.
    public func softmax() -> Tensor { softmaxOp(log: false) }
    /// Log-softmax over the last dimension.
    public func logSoftmax() -> Tensor { softmaxOp(log: true) }

    /// Softmax over any dimension.
    public func softmax(axis: Int) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: "softmax")
        if a == rank - 1 { return softmax() }
        return try transposed(a, -1).softmax().transposed(a, -1)
    }

    func softmaxOp(log: Bool) -> Tensor {
        let x = kernelInput()
        let out = Tensor(empty: shape)
        backend.softmax(x, into: out, log: log)
        return out.recorded([self]) { .softmax(output: out.detached(), log: log) }
    }

    /// Mean cross-entropy of logits [..., V] against integer targets [...]; targets equal
    /// to `ignoreIndex` are skipped. With no counted target the loss is 0 (and so is its
    /// gradient), not NaN.
    public func crossEntropy(targets: Tensor, ignoreIndex: Int = -100) throws -> Tensor {
        guard let v = shape.last, Array(shape.dropLast()) == targets.shape else {
            throw TensorError.shapeMismatch(op: "crossEntropy", lhs: shape, rhs: targets.shape)
        }
        let t = try targets.indexValues(op: "crossEntropy", bound: v, allowed: ignoreIndex)
        let x = kernelInput()
        let lse = Tensor(empty: [t.count])
        let (total, n) = backend.crossEntropy(x, targets: t, ignoreIndex: ignoreIndex, lse: lse)
        let out = Tensor.scalar(n == 0 ? 0 : Float(total / Double(n)))
        return out.recorded([self]) {
            .crossEntropy(logits: x.detached(), targets: t, ignoreIndex: ignoreIndex, lse: lse, count: n)
        }
    }

    /// A [B, H, T, D] tensor as attention kernels read it: f32 with unit stride along D (a
    /// permuted projection output is used as is), else a contiguous copy.
    func headsInput() -> Tensor {
        (dtype == .float32 && (strides[3] == 1 || shape[3] == 1)) ? self : materialized(as: .float32)
    }

    /// A new [B, H, T, D] tensor laid out as [B, T, H, D] in memory, so that permuting it back
    /// to [B, T, H, D] (before the output projection) is free.
    static func heads(_ shape: [Int]) -> Tensor {
        let (b, h, t, d) = (shape[0], shape[1], shape[2], shape[3])
        let storage = Storage(byteCount: b * t * h * d * 4)
        return Tensor(storage: storage, shape: shape, strides: [t * h * d, d, h * d, 1], offset: 0, dtype: .float32)
    }

    /// LayerNorm over the last dimension with optional affine weight and bias.
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float) throws -> Tensor {
        let d = shape.last ?? 0
        if let weight, weight.shape != [d] { throw TensorError.shapeMismatch(op: "layerNorm weight", lhs: [d], rhs: weight.shape) }
        if let bias, bias.shape != [d] { throw TensorError.shapeMismatch(op: "layerNorm bias", lhs: [d], rhs: bias.shape) }
        let x = kernelInput(), w = weight?.kernelInput(), b = bias?.kernelInput()
        let rows = count / Swift.max(d, 1)
        let out = Tensor(empty: shape), mean = Tensor(empty: [rows]), rstd = Tensor(empty: [rows])
        backend.layerNorm(x, weight: w, bias: b, eps: eps, into: out, mean: mean, rstd: rstd)
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        return out.recorded(inputs) { .layerNorm(x: x.detached(), weight: w?.detached(), mean: mean, rstd: rstd, hasBias: bias != nil) }
    }

    /// silu(self) * up, the gate of Llama's and Qwen2's MLP, in one pass: no silu(gate)
    /// tensor is made or kept for backward (one [tokens, intermediate] tensor a layer less),
    /// and the backward pass is one pass instead of three.
    public func swiglu(_ up: Tensor) throws -> Tensor {
        guard shape == up.shape else { throw TensorError.shapeMismatch(op: "swiglu", lhs: shape, rhs: up.shape) }
        let g = kernelInput(), u = up.kernelInput()
        let out = Tensor(empty: shape)
        backend.swiglu(g, u, into: out)
        return out.recorded([self, up]) { .swiglu(gate: g.detached(), up: u.detached()) }
    }

    /// RMSNorm over the last dimension (Llama, Qwen2): weight * x / sqrt(mean(x^2) + eps).
    public func rmsNorm(weight: Tensor?, eps: Float) throws -> Tensor {
        let d = shape.last ?? 0
        if let weight, weight.shape != [d] { throw TensorError.shapeMismatch(op: "rmsNorm weight", lhs: [d], rhs: weight.shape) }
        let x = kernelInput(), w = weight?.kernelInput()
        let out = Tensor(empty: shape), rstd = Tensor(empty: [count / Swift.max(d, 1)])
        backend.rmsNorm(x, weight: w, eps: eps, into: out, rstd: rstd)
        var inputs = [self]
        if let weight { inputs.append(weight) }
        return out.recorded(inputs) { .rmsNorm(x: x.detached(), weight: w?.detached(), rstd: rstd) }
    }

    /// Rotary position embedding on [B, H, T, D] with cos/sin tables [B or 1, T, D]
    /// (HF `apply_rotary_pos_emb`, rotate_half convention). The tables are constants.
    public func rotaryEmbedding(cos: Tensor, sin: Tensor) throws -> Tensor {
        guard rank == 4, cos.shape == sin.shape, cos.rank == 3, cos.shape[1] == shape[2], cos.shape[2] == shape[3],
              cos.shape[0] == 1 || cos.shape[0] == shape[0], shape[3] % 2 == 0 else {
            throw TensorError.shapeMismatch(op: "rotaryEmbedding", lhs: shape, rhs: cos.shape)
        }
        let x = headsInput(), c = cos.kernelInput(), s = sin.kernelInput()
        let out = Tensor.heads(shape)
        backend.rope(x, cos: c, sin: s, transpose: false, into: out)
        return out.recorded([self]) { .rope(cos: c, sin: s) }
    }

    /// Scaled-dot-product attention. q [B, H, T, D], k [B, Hkv, S, D], v [B, Hkv, S, Dv],
    /// H a multiple of Hkv (grouped-query attention). `keyMask` [B, S] (1 attend, 0 padding);
    /// `causal` aligns queries with the last T keys. Scale defaults to 1/sqrt(D).
    public static func attention(q: Tensor, k: Tensor, v: Tensor, causal: Bool, keyMask: Tensor? = nil,
                                 scale: Float? = nil) throws -> Tensor {
        guard q.rank == 4, k.rank == 4, v.rank == 4, q.shape[0] == k.shape[0], k.shape[0] == v.shape[0],
              q.shape[3] == k.shape[3], k.shape[1] == v.shape[1], k.shape[2] == v.shape[2],
              k.shape[1] > 0, q.shape[1] % k.shape[1] == 0 else {
            throw TensorError.shapeMismatch(op: "attention q/k/v", lhs: q.shape, rhs: k.shape + v.shape)
        }
        if let keyMask, keyMask.shape != [k.shape[0], k.shape[2]] {
            throw TensorError.shapeMismatch(op: "attention keyMask", lhs: [k.shape[0], k.shape[2]], rhs: keyMask.shape)
        }
        let options = AttentionOptions(scale: scale ?? 1 / Float(q.shape[3]).squareRoot(), causal: causal)
        let qc = q.headsInput(), kc = k.headsInput(), vc = v.headsInput(), mc = keyMask?.kernelInput()
        let out = Tensor.heads([q.shape[0], q.shape[1], q.shape[2], v.shape[3]])
        let lse = Tensor(empty: [q.shape[0], q.shape[1], q.shape[2]])
        backend.attention(q: qc, k: kc, v: vc, keyMask: mc, options: options, out: out, lse: lse)
        return out.recorded([q, k, v]) {
            .attention(q: qc.detached(), k: kc.detached(), v: vc.detached(), keyMask: mc, options: options,
                       output: out.detached(), lse: lse)
        }
    }

    /// 2-D convolution of x [B, C, H, W] with weight [O, C, kh, kw] and optional bias [O].
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) throws -> Tensor {
        guard rank == 4, weight.rank == 4, weight.shape[1] == shape[1], stride.0 > 0, stride.1 > 0 else {
            throw TensorError.shapeMismatch(op: "conv2d", lhs: shape, rhs: weight.shape)
        }
        let (b, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let ho = (h + 2 * padding.0 - kh) / stride.0 + 1, wo = (w + 2 * padding.1 - kw) / stride.1 + 1
        guard ho > 0, wo > 0 else {
            throw TensorError.invalidArgument(op: "conv2d", message: "kernel \(kh)x\(kw) larger than padded input \(h)x\(w)")
        }
        if let bias, bias.shape != [o] { throw TensorError.shapeMismatch(op: "conv2d bias", lhs: [o], rhs: bias.shape) }
        let x = kernelInput(), wt = weight.kernelInput()
        let ck = c * kh * kw, l = ho * wo
        let cols = Tensor(empty: [b, ck, l])
        backend.im2col(x, kernel: (kh, kw), stride: stride, padding: padding, into: cols)
        let out = Tensor(empty: [b, o, ho, wo])
        let out3 = Tensor(storage: out.storage, shape: [b, o, l], strides: [o * l, l, 1], offset: 0, dtype: .float32)
        if let bias {
            let bv = bias.kernelInput()
            backend.copy(Tensor(storage: bv.storage, shape: [b, o, l], strides: [0, 1, 0], offset: bv.offset, dtype: .float32), into: out3)
        }
        let w3 = Tensor(storage: wt.storage, shape: [b, o, ck], strides: [0, ck, 1], offset: wt.offset, dtype: .float32)
        backend.matmul(w3, cols, into: out3, alpha: 1, beta: bias == nil ? 0 : 1)
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        return out.recorded(inputs) { .conv2d(x: x.detached(), weight: wt.detached(), hasBias: bias != nil, stride: stride, padding: padding) }
    }

    /// Average pooling over kernel x kernel windows (no padding) of x [B, C, H, W].
    public func avgPool2d(kernel: Int, stride: Int? = nil) throws -> Tensor {
        let s = stride ?? kernel
        guard rank == 4, kernel > 0, s > 0, shape[2] >= kernel, shape[3] >= kernel else {
            throw TensorError.invalidArgument(op: "avgPool2d", message: "kernel \(kernel) stride \(s) for input \(shape)")
        }
        let ho = (shape[2] - kernel) / s + 1, wo = (shape[3] - kernel) / s + 1
        let out = Tensor(empty: [shape[0], shape[1], ho, wo])
        backend.avgPool2d(kernelInput(), kernel: kernel, stride: s, into: out)
        return out.recorded([self]) { .avgPool2d(from: shape, kernel: kernel, stride: s) }
    }

    /// Inverted dropout: zeroes each element with probability p and scales the rest by
    /// 1/(1-p). The mask comes from `rng`, so a seeded run drops the same elements.
    public func dropout(_ p: Float, rng: inout RandomGenerator) throws -> Tensor {
        guard p >= 0 && p < 1 else { throw TensorError.invalidArgument(op: "dropout", message: "p = \(p) outside [0, 1)") }
        if p == 0 { return self }
        let mask = Tensor(empty: shape)
        let m = mask.floatPointer, keep = 1 / (1 - p)
        for i in 0..<count { m[i] = rng.nextFloat() < p ? 0 : keep }
        return try self * mask
    }
}
