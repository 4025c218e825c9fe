import Tensors

/// A lookup table of vectors (token embeddings, position embeddings).
public final class Embedding: Module {
    public var weight: Tensor

    public init(weight: Tensor) { self.weight = weight }

    public convenience init(_ count: Int, _ dim: Int, std: Float = 1, rng: inout RandomGenerator) {
        self.init(weight: Tensor.randn([count, dim], std: std, rng: &rng))
    }

    public func callAsFunction(_ ids: Tensor) throws -> Tensor { try Tensor.embedding(ids, weight: weight) }

    public func visit(_ v: inout ParameterVisitor) { v.param("weight", &weight) }
}

public final class LayerNorm: Module {
    public var weight: Tensor
    public var bias: Tensor
    public let eps: Float

    public init(_ dim: Int, eps: Float) {
        weight = Tensor.ones([dim])
        bias = Tensor.zeros([dim])
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.layerNorm(weight: weight, bias: bias, eps: eps) }

    public func visit(_ v: inout ParameterVisitor) {
        v.param("weight", &weight)
        v.param("bias", &bias)
    }
}

public final class RMSNorm: Module {
    public var weight: Tensor
    public let eps: Float

    public init(_ dim: Int, eps: Float) {
        weight = Tensor.ones([dim])
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.rmsNorm(weight: weight, eps: eps) }

    public func visit(_ v: inout ParameterVisitor) { v.param("weight", &weight) }
}

/// 2-D convolution (the patch embedding of a ViT is one with stride = kernel).
public final class Conv2d: Module {
    public var weight: Tensor
    public var bias: Tensor?
    public let stride: (Int, Int)
    public let padding: (Int, Int)

    public init(weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int) = (0, 0)) {
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.param("weight", &weight)
        v.param("bias", &bias)
    }
}

/// Activation functions by their Hugging Face `hidden_act` names.
public enum Activation: String, Codable, Sendable {
    case silu, gelu, geluTanh = "gelu_pytorch_tanh", quickGelu = "quick_gelu", relu

    /// Accepts the aliases transformers accepts (`swish`, `gelu_new`, `gelu_fast`, ...).
    public init?(hfName: String) {
        switch hfName {
        case "silu", "swish": self = .silu
        case "gelu": self = .gelu
        case "gelu_pytorch_tanh", "gelu_new", "gelu_fast", "gelu_python_tanh": self = .geluTanh
        case "quick_gelu": self = .quickGelu
        case "relu": self = .relu
        default: return nil
        }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .silu: return x.silu()
        case .gelu: return x.gelu()
        case .geluTanh: return x.geluTanh()
        case .quickGelu: return x.quickGelu()
        case .relu: return x.relu()
        }
    }
}
