import Foundation

extension CPUBackend {
    /// Softmax (or log-softmax) over the last dimension of contiguous x viewed as [rows, n].
    public func softmax(_ x: Tensor, into y: Tensor, log: Bool) {
        let n = x.shape.last ?? 1
        let rows = x.count / Swift.max(n, 1)
        let px = x.floatPointer, py = y.floatPointer
        Parallel.forRange(rows, minChunk: Swift.max(1, 4096 / Swift.max(n, 1))) { r in
            for row in r {
                let src = px + row * n, dst = py + row * n
                let m = FastMath.max(src, n)
                let mv = F16(repeating: m)
                FastMath.map(src, dst, n) { FastMath.exp($0 - mv) }
                let s = FastMath.sum(dst, n)
                if log {
                    let shift = F16(repeating: m + Foundation.log(s))
                    FastMath.map(src, dst, n) { $0 - shift }
                } else {
                    let inv = F16(repeating: 1 / s)
                    FastMath.map(dst, dst, n) { $0 * inv }
                }
            }
        }
    }

    /// Gradient of softmax / log-softmax given its output y and the output gradient g.
    /// softmax: dx = y * (g - sum(g * y)); log-softmax: dx = g - exp(y) * sum(g).
    public func softmaxBackward(output y: Tensor, grad g: Tensor, into dx: Tensor, log: Bool) {
        let n = y.shape.last ?? 1
        let rows = y.count / Swift.max(n, 1)
        let py = y.floatPointer, pg = g.floatPointer, pd = dx.floatPointer
        Parallel.forRange(rows, minChunk: Swift.max(1, 4096 / Swift.max(n, 1))) { r in
            for row in r {
                let yr = py + row * n, gr = pg + row * n, dr = pd + row * n
                if log {
                    let s = F16(repeating: FastMath.sum(gr, n))
                    FastMath.map2(gr, yr, dr, n) { $0 - FastMath.exp($1) * s }
                } else {
                    let s = F16(repeating: FastMath.dot(gr, yr, n))
                    FastMath.map2(gr, yr, dr, n) { $1 * ($0 - s) }
                }
            }
        }
    }

    /// Cross-entropy of contiguous logits [rows, n] against integer targets (int32 or int64),
    /// targets equal to `ignoreIndex` skipped. Writes each row's log-sum-exp into `lse` and
    /// returns the summed loss (double accumulation) and the number of counted rows.
    /// Targets must already be validated to lie in 0..<n.
    public func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int, lse: Tensor) -> (sum: Double, count: Int) {
        let n = logits.shape.last!
        let rows = targets.count
        let px = logits.floatPointer, pl = lse.floatPointer
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: rows)
        defer { partial.deallocate() }
        targets.withUnsafeBufferPointer { tp in
            Parallel.forRange(rows, minChunk: Swift.max(1, 2048 / Swift.max(n, 1))) { r in
                for row in r {
                    let src = px + row * n
                    let m = FastMath.max(src, n)
                    let mv = F16(repeating: m)
                    var acc = F16()
                    var i = 0
                    while i + 16 <= n {
                        acc += FastMath.exp(UnsafeRawPointer(src + i).loadUnaligned(as: F16.self) - mv)
                        i += 16
                    }
                    var s = acc.sum()
                    while i < n { s += FastMath.exp(src[i] - m); i += 1 }
                    let l = m + Foundation.log(s)
                    pl[row] = l
                    let t = tp[row]
                    partial[row] = t == ignoreIndex ? 0 : Double(l - src[t])
                }
            }
        }
        var total = 0.0, count = 0
        for row in 0..<rows where targets[row] != ignoreIndex {
            total += partial[row]
            count += 1
        }
        return (total, count)
    }

    /// d logits = scale * (softmax(logits) - onehot(target)) on counted rows, 0 on ignored rows.
    public func crossEntropyBackward(_ logits: Tensor, targets: [Int], ignoreIndex: Int, lse: Tensor,
                                     scale: Float, into dx: Tensor) {
        let n = logits.shape.last!
        let px = logits.floatPointer, pl = lse.floatPointer, pd = dx.floatPointer
        targets.withUnsafeBufferPointer { tp in
            Parallel.forRange(tp.count, minChunk: Swift.max(1, 2048 / Swift.max(n, 1))) { r in
                for row in r {
                    let dst = pd + row * n
                    let t = tp[row]
                    if t == ignoreIndex {
                        dst.update(repeating: 0, count: n)
                        continue
                    }
                    let shift = F16(repeating: pl[row])
                    let sv = F16(repeating: scale)
                    FastMath.map(px + row * n, dst, n) { FastMath.exp($0 - shift) * sv }
                    dst[t] -= scale
                }
            }
        }
    }
}
