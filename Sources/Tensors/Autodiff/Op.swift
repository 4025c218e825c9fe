/// A recorded operation and exactly what its backward rule needs. The rules themselves
/// all live in `Derivatives.swift`.
enum Op {
    case identity
    case reshape(from: [Int])
    case permute([Int])
    case slice(from: [Int], dim: Int, start: Int)
    case expand(from: [Int])
    case concat(dim: Int, sizes: [Int])
    case pad(from: [Int], before: [Int])
    case indexSelect(dim: Int, indices: [Int], from: [Int])
    case embedding(indices: [Int], vocab: Int, dim: Int)
    case binary(BinaryOp, a: Tensor?, b: Tensor?, aShape: [Int], bShape: [Int])
    case unary(UnaryOp, saved: Tensor?)
    case sum(from: [Int], axes: [Int])
    case max(from: [Int], axis: Int, indices: Tensor)
    case matmul(a: Tensor?, b: Tensor?, aShape: [Int], bShape: [Int])
    case linear(x: Tensor?, weight: Tensor?, hasBias: Bool)
    case loraLinear(x: Tensor, weight: Tensor, hasBias: Bool, a: Tensor, b: Tensor, h: Tensor, scale: Float, mask: Tensor?, loraInput: Tensor)
    case softmax(output: Tensor, log: Bool)
    case crossEntropy(logits: Tensor, targets: [Int], ignoreIndex: Int, lse: Tensor, count: Int)
    case layerNorm(x: Tensor, weight: Tensor?, mean: Tensor, rstd: Tensor, hasBias: Bool)
    case rmsNorm(x: Tensor, weight: Tensor?, rstd: Tensor)
    case swiglu(gate: Tensor, up: Tensor)
    case rope(cos: Tensor, sin: Tensor)
    case attention(q: Tensor, k: Tensor, v: Tensor, keyMask: Tensor?, options: AttentionOptions, output: Tensor, lse: Tensor)
    case conv2d(x: Tensor, weight: Tensor, hasBias: Bool, stride: (Int, Int), padding: (Int, Int))
    case avgPool2d(from: [Int], kernel: Int, stride: Int)
    case recompute(input: Tensor, fn: (Tensor) throws -> Tensor, replay: ReplayHooks?, token: Any?)

    var name: String {
        switch self {
        case .identity: return "contiguous"
        case .reshape: return "reshape"
        case .permute: return "permute"
        case .slice: return "slice"
        case .expand: return "expand"
        case .concat: return "concat"
        case .pad: return "pad"
        case .indexSelect: return "indexSelect"
        case .embedding: return "embedding"
        case .binary(let op, _, _, _, _): return "\(op)"
        case .unary(let op, _): return "\(op)"
        case .sum: return "sum"
        case .max: return "max"
        case .matmul: return "matmul"
        case .linear: return "linear"
        case .loraLinear: return "loraLinear"
        case .softmax(_, let log): return log ? "logSoftmax" : "softmax"
        case .crossEntropy: return "crossEntropy"
        case .layerNorm: return "layerNorm"
        case .rmsNorm: return "rmsNorm"
        case .swiglu: return "swiglu"
        case .rope: return "rope"
        case .attention: return "attention"
        case .conv2d: return "conv2d"
        case .avgPool2d: return "avgPool2d"
        case .recompute: return "checkpointed"
        }
    }
}
