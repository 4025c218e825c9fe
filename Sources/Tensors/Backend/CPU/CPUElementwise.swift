import Foundation

/// Binary elementwise operations (NumPy broadcasting).
public enum BinaryOp: Sendable {
    case add, sub, mul, div

    @inline(__always) func apply(_ a: F16, _ b: F16) -> F16 {
        switch self {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        }
    }

    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float {
        switch self {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        }
    }
}

/// Unary elementwise operations, including those with a scalar parameter.
public enum UnaryOp: Sendable, Equatable {
    case neg, exp, log, sqrt, rsqrt, tanh, sigmoid, relu, silu, gelu, geluTanh, quickGelu
    case square, abs, reciprocal
    case addScalar(Float), mulScalar(Float), powScalar(Float)

    /// Whether the backward rule reads the op's output (true) or its input (false).
    var backwardUsesOutput: Bool {
        switch self {
        case .exp, .sqrt, .rsqrt, .tanh, .sigmoid, .reciprocal: return true
        default: return false
        }
    }

    /// Whether the backward rule needs any saved tensor at all.
    var backwardNeedsSaved: Bool {
        switch self {
        case .neg, .addScalar, .mulScalar: return false
        default: return true
        }
    }
}

let sqrt2OverPi: Float = 0.797_884_56
let invSqrt2: Float = 0.707_106_78
let invSqrt2Pi: Float = 0.398_942_28

extension CPUBackend {
    /// out = a (op) b with broadcasting; `out` is contiguous with the broadcast shape.
    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, into out: Tensor) {
        let n = out.count
        if n == 0 { return }
        let sa = Shape.broadcastStrides(shape: a.shape, strides: a.strides, to: out.shape)
        let sb = Shape.broadcastStrides(shape: b.shape, strides: b.strides, to: out.shape)
        let (shape, s) = Shape.coalesce(shape: out.shape, strides: [sa, sb, out.strides])
        let pa = a.storage.bytes.assumingMemoryBound(to: Float.self)
        let pb = b.storage.bytes.assumingMemoryBound(to: Float.self)
        let po = out.floatPointer
        let ao = a.offset, bo = b.offset
        let last = shape.count - 1
        let ia = s[0][last], ib = s[1][last]
        Parallel.forRange(n, minChunk: 1 << 15) { range in
            StridedRuns.forEach3(shape: shape, strides0: s[0], strides1: s[1], strides2: s[2],
                                 base0: ao, base1: bo, base2: 0, range: range) { oa, ob, oo, len in
                let x = pa + oa, y = pb + ob, z = po + oo
                if ia == 1 && ib == 1 {
                    FastMath.map2(x, y, z, len) { op.apply($0, $1) }
                } else if ia == 1 && ib == 0 {
                    let v = F16(repeating: y[0])
                    FastMath.map(x, z, len) { op.apply($0, v) }
                } else if ia == 0 && ib == 1 {
                    let v = F16(repeating: x[0])
                    FastMath.map(y, z, len) { op.apply(v, $0) }
                } else {
                    for i in 0..<len { z[i] = op.apply(x[i * ia], y[i * ib]) }
                }
            }
        }
    }

    /// out = f(x) for contiguous f32 tensors of equal size.
    public func unary(_ op: UnaryOp, _ x: Tensor, into out: Tensor) {
        let px = x.floatPointer, po = out.floatPointer
        Parallel.forRange(x.count, minChunk: 1 << 14) { r in
            CPUBackend.unaryRun(op, px + r.lowerBound, po + r.lowerBound, r.count)
        }
    }

    @inline(__always)
    static func unaryRun(_ op: UnaryOp, _ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch op {
        case .neg: FastMath.map(x, y, n) { -$0 }
        case .exp: FastMath.map(x, y, n) { FastMath.exp($0) }
        case .log: for i in 0..<n { y[i] = Foundation.log(x[i]) }
        case .sqrt: FastMath.map(x, y, n) { FastMath.sqrt($0) }
        case .rsqrt: FastMath.map(x, y, n) { 1 / FastMath.sqrt($0) }
        case .tanh: FastMath.map(x, y, n) { FastMath.tanh($0) }
        case .sigmoid: FastMath.map(x, y, n) { FastMath.sigmoid($0) }
        case .relu: FastMath.map(x, y, n) { FastMath.max($0, F16()) }
        case .silu: FastMath.map(x, y, n) { $0 * FastMath.sigmoid($0) }
        case .gelu: FastMath.map(x, y, n) { 0.5 * $0 * (1 + FastMath.erf($0 * invSqrt2)) }
        case .geluTanh:
            FastMath.map(x, y, n) { v in 0.5 * v * (1 + FastMath.tanh(sqrt2OverPi * (v + 0.044715 * v * v * v))) }
        case .quickGelu: FastMath.map(x, y, n) { $0 * FastMath.sigmoid(1.702 * $0) }
        case .square: FastMath.map(x, y, n) { $0 * $0 }
        case .abs: FastMath.map(x, y, n) { FastMath.abs($0) }
        case .reciprocal: FastMath.map(x, y, n) { 1 / $0 }
        case .addScalar(let s): FastMath.map(x, y, n) { $0 + s }
        case .mulScalar(let s): FastMath.map(x, y, n) { $0 * s }
        case .powScalar(let p):
            if p == 2 { FastMath.map(x, y, n) { $0 * $0 } } else { for i in 0..<n { y[i] = Foundation.pow(x[i], p) } }
        }
    }

    /// gradIn = grad * f'(.) where `saved` is the op's input or output (see
    /// `UnaryOp.backwardUsesOutput`); all contiguous, equal sizes.
    public func unaryBackward(_ op: UnaryOp, saved: Tensor?, grad: Tensor, into gradIn: Tensor) {
        let pg = grad.floatPointer, po = gradIn.floatPointer
        let ps = saved?.floatPointer ?? pg
        Parallel.forRange(grad.count, minChunk: 1 << 14) { r in
            let g = pg + r.lowerBound, s = ps + r.lowerBound, o = po + r.lowerBound, n = r.count
            switch op {
            case .neg: FastMath.map(g, o, n) { -$0 }
            case .addScalar: FastMath.map(g, o, n) { $0 }
            case .mulScalar(let k): FastMath.map(g, o, n) { $0 * k }
            case .exp: FastMath.map2(g, s, o, n) { $0 * $1 }
            case .log: FastMath.map2(g, s, o, n) { $0 / $1 }
            case .sqrt: FastMath.map2(g, s, o, n) { $0 * 0.5 / $1 }
            case .rsqrt: FastMath.map2(g, s, o, n) { $0 * -0.5 * $1 * $1 * $1 }
            case .tanh: FastMath.map2(g, s, o, n) { $0 * (1 - $1 * $1) }
            case .sigmoid: FastMath.map2(g, s, o, n) { $0 * $1 * (1 - $1) }
            case .reciprocal: FastMath.map2(g, s, o, n) { -$0 * $1 * $1 }
            case .relu:
                FastMath.map2(g, s, o, n) { gv, xv in
                    var r = F16()
                    r.replace(with: gv, where: xv .> 0)
                    return r
                }
            case .silu:
                FastMath.map2(g, s, o, n) { gv, xv in FastMath.siluBackward(gv, x: xv, sigmoid: FastMath.sigmoid(xv)) }
            case .gelu:
                FastMath.map2(g, s, o, n) { gv, xv in
                    let cdf = 0.5 * (1 + FastMath.erf(xv * invSqrt2))
                    let pdf = invSqrt2Pi * FastMath.exp(-0.5 * xv * xv)
                    return gv * (cdf + xv * pdf)
                }
            case .geluTanh:
                FastMath.map2(g, s, o, n) { gv, xv in
                    let x2 = xv * xv
                    let t = FastMath.tanh(sqrt2OverPi * (xv + 0.044715 * x2 * xv))
                    let dt = (1 - t * t) * sqrt2OverPi * (1 + 3 * 0.044715 * x2)
                    return gv * (0.5 * (1 + t) + 0.5 * xv * dt)
                }
            case .quickGelu:
                FastMath.map2(g, s, o, n) { gv, xv in
                    let sg = FastMath.sigmoid(1.702 * xv)
                    return gv * (sg + 1.702 * xv * sg * (1 - sg))
                }
            case .square: FastMath.map2(g, s, o, n) { 2 * $0 * $1 }
            case .abs:
                FastMath.map2(g, s, o, n) { gv, xv in
                    var r = F16()
                    r.replace(with: gv, where: xv .> 0)
                    r.replace(with: -gv, where: xv .< 0)
                    return r
                }
            case .powScalar(let p):
                for i in 0..<n { o[i] = g[i] * p * Foundation.pow(s[i], p - 1) }
            }
        }
    }

    /// a += b for contiguous f32 tensors of equal size.
    public func addInPlace(_ a: Tensor, _ b: Tensor) {
        let pa = a.floatPointer, pb = b.floatPointer
        Parallel.forRange(a.count, minChunk: 1 << 15) { r in
            FastMath.map2(pa + r.lowerBound, pb + r.lowerBound, pa + r.lowerBound, r.count) { $0 + $1 }
        }
    }
}

extension CPUBackend {
    /// out = silu(gate) * up; all contiguous, equal sizes.
    public func swiglu(_ gate: Tensor, _ up: Tensor, into out: Tensor) {
        let pg = gate.floatPointer, pu = up.floatPointer, po = out.floatPointer
        Parallel.forRange(out.count, minChunk: 1 << 14) { r in
            let i = r.lowerBound
            FastMath.map2(pg + i, pu + i, po + i, r.count) { g, u in g * FastMath.sigmoid(g) * u }
        }
    }

    /// dGate = grad * up * silu'(gate), dUp = grad * silu(gate), each when asked for, in one
    /// pass over the three inputs. silu'(g) = s (1 + g (1 - s)) with s = sigmoid(g).
    public func swigluBackward(gate: Tensor, up: Tensor, grad: Tensor, dGate: Tensor?, dUp: Tensor?) {
        let pg = gate.floatPointer, pu = up.floatPointer, pgr = grad.floatPointer
        let pdg = dGate?.floatPointer, pdu = dUp?.floatPointer
        Parallel.forRange(grad.count, minChunk: 1 << 14) { r in
            let i = r.lowerBound
            FastMath.map3(pg + i, pu + i, pgr + i, pdg.map { $0 + i }, pdu.map { $0 + i }, r.count) { g, u, gr in
                let s = FastMath.sigmoid(g)
                return (FastMath.siluBackward(gr * u, x: g, sigmoid: s), gr * g * s)
            }
        }
    }
}
