extension CPUBackend {
    /// out[i, :] = table[index[i], :] for contiguous table [n, d] (indices already validated).
    /// A bf16/f16 table (frozen weights kept in half precision) is converted row by row, so
    /// a lookup reads only the rows it needs: converting a 49k-row table per decoded token
    /// cost more than the lookup itself. An f32 row is a plain copy (`copyRun`'s memcpy).
    public func gatherRows(_ table: Tensor, indices: [Int], into out: Tensor) {
        let d = table.count / Swift.max(table.shape[0], 1)
        let sb = table.storage.bytes, so = table.offset, st = table.dtype
        let db = out.storage.bytes, dO = out.offset
        indices.withUnsafeBufferPointer { ip in
            Parallel.forRange(ip.count, minChunk: Swift.max(1, 16384 / Swift.max(d, 1))) { r in
                for i in r { CPUBackend.copyRun(sb, so + ip[i] * d, 1, st, db, dO + i * d, 1, .float32, d) }
            }
        }
    }

    /// table[index[i], :] += rows[i, :] (the adjoint of `gatherRows`). Columns are split
    /// between threads, so repeated indices never race and the sum order is fixed.
    public func scatterAddRows(_ rows: Tensor, indices: [Int], into table: Tensor) {
        let d = table.count / Swift.max(table.shape[0], 1)
        let pr = rows.floatPointer, pt = table.floatPointer
        indices.withUnsafeBufferPointer { ip in
            Parallel.forRange(d, minChunk: 64) { cols in
                for i in 0..<ip.count {
                    let dst = pt + ip[i] * d + cols.lowerBound, src = pr + i * d + cols.lowerBound
                    FastMath.map2(dst, src, dst, cols.count) { $0 + $1 }
                }
            }
        }
    }

    /// Unfolds contiguous x [B, C, H, W] into cols [B, C*kh*kw, Ho*Wo] (zero padding).
    public func im2col(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), into cols: Tensor) {
        let b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        let (kh, kw) = kernel, (sh, sw) = stride, (ph, pw) = padding
        let ho = (h + 2 * ph - kh) / sh + 1, wo = (w + 2 * pw - kw) / sw + 1
        let px = x.floatPointer, pc = cols.floatPointer
        Parallel.forRange(b * c, minChunk: 1) { r in
            for bc in r {
                let src = px + bc * h * w
                for ki in 0..<kh {
                    for kj in 0..<kw {
                        let dst = pc + ((bc * kh + ki) * kw + kj) * ho * wo
                        for oi in 0..<ho {
                            let ii = oi * sh - ph + ki
                            let row = dst + oi * wo
                            if ii < 0 || ii >= h { row.update(repeating: 0, count: wo); continue }
                            for oj in 0..<wo {
                                let jj = oj * sw - pw + kj
                                row[oj] = (jj >= 0 && jj < w) ? src[ii * w + jj] : 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: dx [B, C, H, W] = sum of the column entries that read each pixel.
    public func col2im(_ cols: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), into dx: Tensor) {
        let b = dx.shape[0], c = dx.shape[1], h = dx.shape[2], w = dx.shape[3]
        let (kh, kw) = kernel, (sh, sw) = stride, (ph, pw) = padding
        let ho = (h + 2 * ph - kh) / sh + 1, wo = (w + 2 * pw - kw) / sw + 1
        let px = dx.floatPointer, pc = cols.floatPointer
        Parallel.forRange(b * c, minChunk: 1) { r in
            for bc in r {
                let dst = px + bc * h * w
                dst.update(repeating: 0, count: h * w)
                for ki in 0..<kh {
                    for kj in 0..<kw {
                        let src = pc + ((bc * kh + ki) * kw + kj) * ho * wo
                        for oi in 0..<ho {
                            let ii = oi * sh - ph + ki
                            if ii < 0 || ii >= h { continue }
                            for oj in 0..<wo {
                                let jj = oj * sw - pw + kj
                                if jj >= 0 && jj < w { dst[ii * w + jj] += src[oi * wo + oj] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Average pooling (no padding) of contiguous x [B, C, H, W] into y [B, C, Ho, Wo].
    public func avgPool2d(_ x: Tensor, kernel: Int, stride: Int, into y: Tensor) {
        let bc = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        let ho = y.shape[2], wo = y.shape[3]
        let px = x.floatPointer, py = y.floatPointer
        let inv = 1 / Float(kernel * kernel)
        Parallel.forRange(bc, minChunk: 1) { r in
            for p in r {
                let src = px + p * h * w, dst = py + p * ho * wo
                for oi in 0..<ho {
                    for oj in 0..<wo {
                        var s: Float = 0
                        for ki in 0..<kernel { for kj in 0..<kernel { s += src[(oi * stride + ki) * w + oj * stride + kj] } }
                        dst[oi * wo + oj] = s * inv
                    }
                }
            }
        }
    }

    /// Adjoint of `avgPool2d`.
    public func avgPool2dBackward(_ g: Tensor, kernel: Int, stride: Int, into dx: Tensor) {
        let bc = dx.shape[0] * dx.shape[1], h = dx.shape[2], w = dx.shape[3]
        let ho = g.shape[2], wo = g.shape[3]
        let pg = g.floatPointer, pd = dx.floatPointer
        let inv = 1 / Float(kernel * kernel)
        Parallel.forRange(bc, minChunk: 1) { r in
            for p in r {
                let src = pg + p * ho * wo, dst = pd + p * h * w
                dst.update(repeating: 0, count: h * w)
                for oi in 0..<ho {
                    for oj in 0..<wo {
                        let v = src[oi * wo + oj] * inv
                        for ki in 0..<kernel { for kj in 0..<kernel { dst[(oi * stride + ki) * w + oj * stride + kj] += v } }
                    }
                }
            }
        }
    }
}
