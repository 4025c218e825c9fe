import Foundation

/// Hyper-parameters of one AdamW update (PyTorch's `torch.optim.AdamW` formulation).
public struct AdamWStep: Sendable {
    public var lr: Float
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    public var weightDecay: Float
    /// 1-based step count, for the bias corrections.
    public var step: Int

    public init(lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float, step: Int) {
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.step = step
    }
}

extension CPUBackend {
    /// In place, as torch.optim.AdamW: p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
    /// p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). All contiguous f32.
    public func adamw(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, _ h: AdamWStep) {
        let pp = param.floatPointer, pg = grad.floatPointer, pm = m.floatPointer, pv = v.floatPointer
        let bc1 = 1 - Foundation.pow(Double(h.beta1), Double(h.step))
        let bc2 = 1 - Foundation.pow(Double(h.beta2), Double(h.step))
        let stepSize = F16(repeating: Float(Double(h.lr) / bc1))
        let invSqrtBc2 = F16(repeating: Float(1 / bc2.squareRoot()))
        let decay = F16(repeating: 1 - h.lr * h.weightDecay)
        let b1 = F16(repeating: h.beta1), b2 = F16(repeating: h.beta2)
        let c1 = F16(repeating: 1 - h.beta1), c2 = F16(repeating: 1 - h.beta2), eps = F16(repeating: h.eps)
        Parallel.forRange(param.count, minChunk: 1 << 14) { r in
            var i = r.lowerBound
            while i < r.upperBound {
                let n = Swift.min(16, r.upperBound - i)
                var p = F16(), g = F16(), mv = F16(), vv = F16()
                for j in 0..<n { p[j] = pp[i + j]; g[j] = pg[i + j]; mv[j] = pm[i + j]; vv[j] = pv[i + j] }
                p = p * decay
                mv = b1 * mv + c1 * g
                vv = b2 * vv + c2 * g * g
                p = p - stepSize * mv / (FastMath.sqrt(vv) * invSqrtBc2 + eps)
                for j in 0..<n { pp[i + j] = p[j]; pm[i + j] = mv[j]; pv[i + j] = vv[j] }
                i += n
            }
        }
    }

    /// Sum of squares of a contiguous f32 tensor, accumulated in double per chunk.
    public func sumOfSquares(_ t: Tensor) -> Double {
        let p = t.floatPointer
        let n = t.count
        let chunks = Swift.max(1, Swift.min(Parallel.threads, n / 4096))
        var parts = [Double](repeating: 0, count: chunks)
        parts.withUnsafeMutableBufferPointer { out in
            Parallel.forRange(chunks) { cr in
                for c in cr {
                    let lo = n * c / chunks, hi = n * (c + 1) / chunks
                    var s = 0.0, i = lo
                    while i < hi {
                        let len = Swift.min(4096, hi - i)
                        s += Double(FastMath.dot(p + i, p + i, len))
                        i += len
                    }
                    out[c] = s
                }
            }
        }
        return parts.reduce(0, +)
    }

    /// t *= s in place (contiguous f32).
    public func scale(_ t: Tensor, by s: Float) {
        let p = t.floatPointer
        let sv = F16(repeating: s)
        Parallel.forRange(t.count, minChunk: 1 << 15) { r in
            FastMath.map(p + r.lowerBound, p + r.lowerBound, r.count) { $0 * sv }
        }
    }
}
