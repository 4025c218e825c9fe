import Foundation

extension CPUBackend {
    /// LayerNorm over the last dimension: y = (x - mean) * rstd * w + b for contiguous x
    /// viewed as [rows, d]; saves mean and rstd per row.
    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float,
                          into y: Tensor, mean: Tensor, rstd: Tensor) {
        let d = x.shape.last!, rows = x.count / d
        let px = x.floatPointer, py = y.floatPointer, pm = mean.floatPointer, pr = rstd.floatPointer
        let pw = weight?.floatPointer, pb = bias?.floatPointer
        Parallel.forRange(rows, minChunk: Swift.max(1, 2048 / d)) { r in
            for row in r {
                let src = px + row * d, dst = py + row * d
                let mu = FastMath.sum(src, d) / Float(d)
                let muv = F16(repeating: mu)
                FastMath.map(src, dst, d) { ($0 - muv) * ($0 - muv) }
                let varv = FastMath.sum(dst, d) / Float(d)
                let rs = 1 / (varv + eps).squareRoot()
                pm[row] = mu
                pr[row] = rs
                let rv = F16(repeating: rs)
                if let pw, let pb {
                    FastMath.map3(src, pw, pb, dst, d) { ($0 - muv) * rv * $1 + $2 }
                } else if let pw {
                    FastMath.map2(src, pw, dst, d) { ($0 - muv) * rv * $1 }
                } else {
                    FastMath.map(src, dst, d) { ($0 - muv) * rv }
                }
            }
        }
    }

    /// LayerNorm backward. dx always; dw, db accumulated over rows when given (zeroed here).
    public func layerNormBackward(_ x: Tensor, weight: Tensor?, mean: Tensor, rstd: Tensor, grad g: Tensor,
                                  dx: Tensor?, dw: Tensor?, db: Tensor?) {
        let d = x.shape.last!, rows = x.count / d
        let px = x.floatPointer, pg = g.floatPointer, pm = mean.floatPointer, pr = rstd.floatPointer
        let pw = weight?.floatPointer
        let pdx = dx?.floatPointer
        let chunks = Swift.min(Parallel.threads, Swift.max(1, rows / 8))
        // Per-chunk partial sums for dw/db, combined in chunk order (deterministic).
        let partW = (dw != nil) ? UnsafeMutablePointer<Float>.allocate(capacity: chunks * d) : nil
        let partB = (db != nil) ? UnsafeMutablePointer<Float>.allocate(capacity: chunks * d) : nil
        defer { partW?.deallocate(); partB?.deallocate() }
        partW?.initialize(repeating: 0, count: chunks * d)
        partB?.initialize(repeating: 0, count: chunks * d)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: chunks * d)
        defer { scratch.deallocate() }
        Parallel.forRange(chunks) { cr in
            for c in cr {
                let lo = rows * c / chunks, hi = rows * (c + 1) / chunks
                let xhat = scratch + c * d
                for row in lo..<hi {
                    let src = px + row * d, gr = pg + row * d
                    let muv = F16(repeating: pm[row]), rv = F16(repeating: pr[row])
                    FastMath.map(src, xhat, d) { ($0 - muv) * rv }
                    if let partW { FastMath.map3(partW + c * d, gr, xhat, partW + c * d, d) { $0 + $1 * $2 } }
                    if let partB { FastMath.map2(partB + c * d, gr, partB + c * d, d) { $0 + $1 } }
                    guard let pdx else { continue }
                    let dst = pdx + row * d
                    // dxhat = g * w (into dst), then dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
                    if let pw { FastMath.map2(gr, pw, dst, d) { $0 * $1 } } else { dst.update(from: gr, count: d) }
                    let m1 = F16(repeating: FastMath.sum(dst, d) / Float(d))
                    let m2 = F16(repeating: FastMath.dot(dst, xhat, d) / Float(d))
                    FastMath.map2(dst, xhat, dst, d) { rv * ($0 - m1 - $1 * m2) }
                }
            }
        }
        if let dw, let partW { CPUBackend.combine(partW, chunks, d, into: dw.floatPointer) }
        if let db, let partB { CPUBackend.combine(partB, chunks, d, into: db.floatPointer) }
    }

    static func combine(_ parts: UnsafeMutablePointer<Float>, _ chunks: Int, _ d: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(from: parts, count: d)
        for c in 1..<Swift.max(chunks, 1) { FastMath.map2(out, parts + c * d, out, d) { $0 + $1 } }
    }

    /// RMSNorm (Llama/Qwen2): y = w * x * rsqrt(mean(x^2) + eps); saves rstd per row.
    public func rmsNorm(_ x: Tensor, weight: Tensor?, eps: Float, into y: Tensor, rstd: Tensor) {
        let d = x.shape.last!, rows = x.count / d
        let px = x.floatPointer, py = y.floatPointer, pr = rstd.floatPointer
        let pw = weight?.floatPointer
        Parallel.forRange(rows, minChunk: Swift.max(1, 2048 / d)) { r in
            for row in r {
                let src = px + row * d, dst = py + row * d
                let ms = FastMath.dot(src, src, d) / Float(d)
                let rs = 1 / (ms + eps).squareRoot()
                pr[row] = rs
                let rv = F16(repeating: rs)
                if let pw { FastMath.map2(src, pw, dst, d) { $0 * rv * $1 } } else { FastMath.map(src, dst, d) { $0 * rv } }
            }
        }
    }

    /// RMSNorm backward: dx = rstd * (g*w - xhat * mean(g*w*xhat)), dw = sum g * xhat.
    public func rmsNormBackward(_ x: Tensor, weight: Tensor?, rstd: Tensor, grad g: Tensor, dx: Tensor?, dw: Tensor?) {
        let d = x.shape.last!, rows = x.count / d
        let px = x.floatPointer, pg = g.floatPointer, pr = rstd.floatPointer
        let pw = weight?.floatPointer, pdx = dx?.floatPointer
        let chunks = Swift.min(Parallel.threads, Swift.max(1, rows / 8))
        let partW = (dw != nil) ? UnsafeMutablePointer<Float>.allocate(capacity: chunks * d) : nil
        defer { partW?.deallocate() }
        partW?.initialize(repeating: 0, count: chunks * d)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: chunks * d)
        defer { scratch.deallocate() }
        Parallel.forRange(chunks) { cr in
            for c in cr {
                let lo = rows * c / chunks, hi = rows * (c + 1) / chunks
                let xhat = scratch + c * d
                for row in lo..<hi {
                    let src = px + row * d, gr = pg + row * d
                    let rv = F16(repeating: pr[row])
                    FastMath.map(src, xhat, d) { $0 * rv }
                    if let partW { FastMath.map3(partW + c * d, gr, xhat, partW + c * d, d) { $0 + $1 * $2 } }
                    guard let pdx else { continue }
                    let dst = pdx + row * d
                    if let pw { FastMath.map2(gr, pw, dst, d) { $0 * $1 } } else { dst.update(from: gr, count: d) }
                    let m2 = F16(repeating: FastMath.dot(dst, xhat, d) / Float(d))
                    FastMath.map2(dst, xhat, dst, d) { rv * ($0 - $1 * m2) }
                }
            }
        }
        if let dw, let partW { CPUBackend.combine(partW, chunks, d, into: dw.floatPointer) }
    }

    /// Rotary embedding, HF `rotate_half` convention, on x [B, H, T, D] (any strides for B, H,
    /// T; unit stride along D) with cos/sin [B or 1, T, D] contiguous, into y of the same shape
    /// (its own strides): y = x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1]. With
    /// `transpose` it applies the adjoint (the backward pass): y = g * cos + rotate_half^T(g * sin).
    public func rope(_ x: Tensor, cos: Tensor, sin: Tensor, transpose: Bool, into y: Tensor) {
        let b = x.shape[0], h = x.shape[1], t = x.shape[2], d = x.shape[3], half = d / 2
        let csBatch = cos.shape[0] == 1 ? 0 : t * d
        let X = Heads(x), Y = Heads(y)
        let pc = cos.floatPointer, ps = sin.floatPointer
        Parallel.forRange(b * h * t, minChunk: 64) { r in
            for i in r {
                let bi = i / (h * t), hi = (i / t) % h, ti = i % t
                let src = X.head(bi, hi) + ti * X.st, dst = Y.head(bi, hi) + ti * Y.st
                let c = pc + bi * csBatch + ti * d, s = ps + bi * csBatch + ti * d
                if !transpose {
                    for j in 0..<half {
                        dst[j] = src[j] * c[j] - src[j + half] * s[j]
                        dst[j + half] = src[j + half] * c[j + half] + src[j] * s[j + half]
                    }
                } else {
                    for j in 0..<half {
                        let a = src[j], bb = src[j + half]
                        dst[j] = a * c[j] + bb * s[j + half]
                        dst[j + half] = bb * c[j + half] - a * s[j]
                    }
                }
            }
        }
    }
}
