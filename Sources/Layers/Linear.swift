import Foundation
import Tensors

/// y = x W^T + b with W [out, in] (the Hugging Face layout), optionally with a LoRA adapter.
public final class Linear: Module {
    public var weight: Tensor
    public var bias: Tensor?
    /// A low-rank adapter added to this layer's output (PEFT LoRA), when attached.
    public var lora: LoRA?

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public init(weight: Tensor, bias: Tensor? = nil) {
        self.weight = weight
        self.bias = bias
    }

    /// A layer with PyTorch's default initialisation (uniform +-1/sqrt(in)).
    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RandomGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        self.init(weight: Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, rng: &rng),
                  bias: bias ? Tensor.uniform([outFeatures], low: -bound, high: bound, rng: &rng) : nil)
    }

    /// A layer initialised as transformers' `_init_weights` does: weights normal(0, std),
    /// biases zero.
    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, std: Float, rng: inout RandomGenerator) {
        self.init(weight: Tensor.randn([outFeatures, inFeatures], std: std, rng: &rng), bias: bias ? Tensor.zeros([outFeatures]) : nil)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard let lora, !lora.merged else { return try x.linear(weight: weight, bias: bias) }
        return try x.linear(weight: weight, bias: bias, loraA: lora.a, loraB: lora.b, scale: lora.scaling, dropoutMask: lora.mask(like: x))
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.param("weight", &weight)
        v.param("bias", &bias)
        if let lora {
            v.loraParam("lora_A.weight", &lora.a)
            v.loraParam("lora_B.weight", &lora.b)
        }
    }

    /// Folds the adapter into the weight (W += scaling * B A); the adapter stays attached but
    /// inactive until `unmerge`.
    public func mergeLoRA() throws {
        guard let lora, !lora.merged else { return }
        try noGrad {
            let w = weight.cast(.float32)
            try w.addInPlace(lora.b.matmul(lora.a) * lora.scaling)
            weight = w
        }
        lora.merged = true
    }

    /// Subtracts a merged adapter again.
    public func unmergeLoRA() throws {
        guard let lora, lora.merged else { return }
        try noGrad {
            let w = weight.cast(.float32)
            try w.addInPlace(lora.b.matmul(lora.a) * -lora.scaling)
            weight = w
        }
        lora.merged = false
    }
}

/// A LoRA adapter (Hu et al. 2021, PEFT conventions): delta(x) = scaling * B(A(dropout(x))),
/// A [r, in] Kaiming-uniform (a = sqrt 5, i.e. uniform +-1/sqrt(in)), B [out, r] zeros,
/// scaling alpha / r, or alpha / sqrt(r) with rsLoRA.
public final class LoRA {
    public var a: Tensor
    public var b: Tensor
    public let rank: Int
    public let alpha: Float
    public let scaling: Float
    public let dropout: Float
    public var merged = false
    /// Dropout is applied only while training, with masks drawn from `random`.
    public var training = false
    public var random: RandomSource?

    public init(inFeatures: Int, outFeatures: Int, rank: Int, alpha: Float, dropout: Float = 0, rsLoRA: Bool = false,
                rng: inout RandomGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        a = Tensor.uniform([rank, inFeatures], low: -bound, high: bound, rng: &rng)
        b = Tensor.zeros([outFeatures, rank])
        self.rank = rank
        self.alpha = alpha
        self.scaling = rsLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank)
        self.dropout = dropout
    }

    /// The adapter's dropout mask for an input (entries 0 or 1/(1-p)), or nil when dropout is
    /// off (evaluation, p = 0).
    func mask(like x: Tensor) -> Tensor? {
        guard training && dropout > 0, let random else { return nil }
        let m = Tensor(empty: x.shape)
        let p = m.floatPointer, keep = 1 / (1 - dropout)
        for i in 0..<m.count { p[i] = random.generator.nextFloat() < dropout ? 0 : keep }
        return m
    }

    /// The adapter's output alone, scaling * B(A(dropout(x))).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var h = x
        if let m = mask(like: x) { h = try x * m }
        return try h.linear(weight: a).linear(weight: b) * scaling
    }
}

/// A random generator shared by reference between the layers that draw from it (dropout)
/// and the trainer that saves and restores its state.
public final class RandomSource {
    public var generator: RandomGenerator
    public init(_ generator: RandomGenerator) { self.generator = generator }
}
