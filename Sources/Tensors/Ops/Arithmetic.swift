/// Elementwise arithmetic with broadcasting, scalar arithmetic and unary functions.
extension Tensor {
    func binaryOp(_ op: BinaryOp, _ other: Tensor, name: String) throws -> Tensor {
        guard let outShape = Shape.broadcast(shape, other.shape) else {
            throw TensorError.shapeMismatch(op: name, lhs: shape, rhs: other.shape)
        }
        let a = dtype == .float32 ? self : materialized(as: .float32)
        let b = other.dtype == .float32 ? other : other.materialized(as: .float32)
        let out = Tensor(empty: outShape)
        backend.binary(op, a, b, into: out)
        return out.recorded([self, other]) {
            // Save only what the rules read: mul needs the other operand, div needs both.
            let aNeeds = self.needsGrad, bNeeds = other.needsGrad
            switch op {
            case .add, .sub: return .binary(op, a: nil, b: nil, aShape: shape, bShape: other.shape)
            case .mul: return .binary(op, a: bNeeds ? a.detached() : nil, b: aNeeds ? b.detached() : nil, aShape: shape, bShape: other.shape)
            case .div: return .binary(op, a: bNeeds ? a.detached() : nil, b: b.detached(), aShape: shape, bShape: other.shape)
            }
        }
    }

    func unaryOp(_ op: UnaryOp) -> Tensor {
        let x = kernelInput()
        let out = Tensor(empty: shape)
        backend.unary(op, x, into: out)
        return out.recorded([self]) {
            let saved: Tensor? = !op.backwardNeedsSaved ? nil : (op.backwardUsesOutput ? out.detached() : x.detached())
            return .unary(op, saved: saved)
        }
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binaryOp(.add, b, name: "add") }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binaryOp(.sub, b, name: "sub") }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binaryOp(.mul, b, name: "mul") }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binaryOp(.div, b, name: "div") }

    public static func + (a: Tensor, s: Float) -> Tensor { a.unaryOp(.addScalar(s)) }
    public static func + (s: Float, a: Tensor) -> Tensor { a.unaryOp(.addScalar(s)) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.unaryOp(.addScalar(-s)) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.unaryOp(.mulScalar(-1)).unaryOp(.addScalar(s)) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.unaryOp(.mulScalar(s)) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.unaryOp(.mulScalar(s)) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.unaryOp(.mulScalar(1 / s)) }
    public static func / (s: Float, a: Tensor) -> Tensor { a.unaryOp(.reciprocal).unaryOp(.mulScalar(s)) }
    public static prefix func - (a: Tensor) -> Tensor { a.unaryOp(.neg) }

    public func exp() -> Tensor { unaryOp(.exp) }
    public func log() -> Tensor { unaryOp(.log) }
    public func sqrt() -> Tensor { unaryOp(.sqrt) }
    public func rsqrt() -> Tensor { unaryOp(.rsqrt) }
    public func tanh() -> Tensor { unaryOp(.tanh) }
    public func sigmoid() -> Tensor { unaryOp(.sigmoid) }
    public func relu() -> Tensor { unaryOp(.relu) }
    public func square() -> Tensor { unaryOp(.square) }
    public func abs() -> Tensor { unaryOp(.abs) }
    public func reciprocal() -> Tensor { unaryOp(.reciprocal) }
    public func pow(_ p: Float) -> Tensor { unaryOp(.powScalar(p)) }
    /// x * sigmoid(x).
    public func silu() -> Tensor { unaryOp(.silu) }
    /// Exact GELU, 0.5 x (1 + erf(x / sqrt 2)).
    public func gelu() -> Tensor { unaryOp(.gelu) }
    /// GELU with the tanh approximation (`gelu_pytorch_tanh`).
    public func geluTanh() -> Tensor { unaryOp(.geluTanh) }
    /// CLIP's x * sigmoid(1.702 x).
    public func quickGelu() -> Tensor { unaryOp(.quickGelu) }

    /// Adds `other` into this tensor's storage (outside the graph): gradient accumulation and
    /// optimizer updates. This tensor must be contiguous f32.
    public func addInPlace(_ other: Tensor) throws {
        guard shape == other.shape else { throw TensorError.shapeMismatch(op: "addInPlace", lhs: shape, rhs: other.shape) }
        precondition(isContiguous && dtype == .float32, "addInPlace on a non-contiguous or non-f32 tensor")
        backend.addInPlace(self, other.kernelInput())
    }

    /// Sum of squared elements in double precision (outside the graph): gradient norms.
    public func sumOfSquares() -> Double { backend.sumOfSquares(kernelInput()) }

    /// Multiplies in place (outside the graph): gradient clipping. Contiguous f32 only.
    public func scaleInPlace(_ s: Float) {
        precondition(isContiguous && dtype == .float32, "scaleInPlace on a non-contiguous or non-f32 tensor")
        backend.scale(self, by: s)
    }

    /// One AdamW update of this parameter in place, with moment buffers `m` and `v`.
    public func adamwUpdate(grad: Tensor, m: Tensor, v: Tensor, _ h: AdamWStep) throws {
        guard grad.shape == shape, m.shape == shape, v.shape == shape else {
            throw TensorError.shapeMismatch(op: "adamw", lhs: shape, rhs: grad.shape)
        }
        precondition(isContiguous && dtype == .float32 && m.isContiguous && v.isContiguous)
        backend.adamw(param: self, grad: grad.kernelInput(), m: m, v: v, h)
    }

    /// Sets every element (outside the graph). Contiguous f32 only.
    public func fill(_ value: Float) {
        precondition(isContiguous && dtype == .float32, "fill on a non-contiguous or non-f32 tensor")
        backend.fill(self, value)
    }

    /// Overwrites this tensor's elements with `other`'s (outside the graph).
    public func assign(_ other: Tensor) throws {
        guard shape == other.shape else { throw TensorError.shapeMismatch(op: "assign", lhs: shape, rhs: other.shape) }
        backend.copy(other, into: self)
    }
}
