import Foundation

/// Options of scaled-dot-product attention.
public struct AttentionOptions: Sendable {
    public var scale: Float
    /// Query i attends key j only when j <= i + (S - T) (aligned at the end, as with a KV cache).
    public var causal: Bool
    public init(scale: Float, causal: Bool) {
        self.scale = scale
        self.causal = causal
    }
}

/// Where the heads of a [B, H, T, D] tensor live: any strides for B, H and T, unit stride
/// along D. Covers both the contiguous [B, H, T, D] layout and a [B, T, H, D] projection
/// output viewed as heads, which attention then reads and writes without copies.
struct Heads {
    let base: UnsafeMutablePointer<Float>
    let sb, sh, st: Int

    init(_ t: Tensor) {
        precondition(t.strides[3] == 1 || t.shape[3] == 1, "attention: head dimension must have unit stride")
        base = t.storage.bytes.assumingMemoryBound(to: Float.self) + t.offset
        sb = t.strides[0]
        sh = t.strides[1]
        // a single position may carry any stride; BLAS still wants a leading dimension >= D
        st = t.shape[2] == 1 ? Swift.max(t.strides[2], t.shape[3]) : t.strides[2]
    }

    @inline(__always) func head(_ b: Int, _ h: Int) -> UnsafeMutablePointer<Float> { base + b * sb + h * sh }
}

extension CPUBackend {
    /// Rows of queries handled per block: scores of one block are rows x S floats.
    static let attentionBlock = 64

    /// Attention forward. q [B, H, T, D], k [B, Hkv, S, D], v [B, Hkv, S, Dv] contiguous;
    /// keyMask [B, S] (1 keep, 0 drop) optional. Writes out [B, H, T, Dv] and the log-sum-exp
    /// of each query row into lse [B, H, T]. Query heads share key/value heads in groups of
    /// H / Hkv. Scores are materialised one block of rows at a time; a row with no visible
    /// key outputs zeros.
    public func attention(q: Tensor, k: Tensor, v: Tensor, keyMask: Tensor?, options: AttentionOptions,
                          out: Tensor, lse: Tensor) {
        let b = q.shape[0], h = q.shape[1], t = q.shape[2], d = q.shape[3]
        let hkv = k.shape[1], s = k.shape[2], dv = v.shape[3]
        let group = h / hkv
        let Q = Heads(q), K = Heads(k), V = Heads(v), O = Heads(out)
        let pl = lse.floatPointer
        let pm = keyMask?.floatPointer
        let blk = CPUBackend.attentionBlock
        let shift = s - t
        if t <= 4 && b * h * t * s * (d + dv) <= 1 << 21 {
            attentionFewQueries(Q, K, V, O, lse: pl, mask: pm, options: options, b: b, h: h, t: t, s: s, d: d, dv: dv, group: group)
            return
        }
        BLAS.singleThreaded {
            Parallel.forEach(b * h) { bh in
                let bi = bh / h, hi = bh % h, kvh = hi / group
                let qb = Q.head(bi, hi), kb = K.head(bi, kvh), vb = V.head(bi, kvh), ob = O.head(bi, hi)
                let lb = pl + bh * t
                let mask = pm.map { $0 + bi * s }
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: blk * s)
                defer { scores.deallocate() }
                var i0 = 0
                while i0 < t {
                    let rows = Swift.min(blk, t - i0)
                    let kmax = options.causal ? Swift.max(0, Swift.min(s, i0 + rows + shift)) : s
                    if kmax > 0 {
                        BLAS.sgemm(transA: false, transB: true, m: rows, n: kmax, k: d, alpha: options.scale,
                                   a: qb + i0 * Q.st, lda: Q.st, b: kb, ldb: K.st, beta: 0, c: scores, ldc: kmax)
                    }
                    for r in 0..<rows {
                        let row = scores + r * kmax
                        let visible = options.causal ? Swift.max(0, Swift.min(kmax, i0 + r + shift + 1)) : kmax
                        CPUBackend.maskedSoftmaxRow(row, visible: visible, total: kmax, mask: mask, lse: lb + i0 + r)
                    }
                    if kmax > 0 {
                        BLAS.sgemm(transA: false, transB: false, m: rows, n: dv, k: kmax, alpha: 1,
                                   a: scores, lda: kmax, b: vb, ldb: V.st, beta: 0, c: ob + i0 * O.st, ldc: O.st)
                    } else {
                        for r in 0..<rows { (ob + (i0 + r) * O.st).initialize(repeating: 0, count: dv) }
                    }
                    i0 += rows
                }
            }
        }
    }

    /// Decoding's attention: a few query rows against the cache, a few hundred thousand
    /// multiply-adds in all. That is less than a thread hand-off plus OpenBLAS's thread switch
    /// and two BLAS calls per head cost (70 us a layer for the small LLM, 9% of a decoded
    /// token), so it runs on the calling thread in vector loops. Same results as the blocked
    /// path up to summation order.
    func attentionFewQueries(_ Q: Heads, _ K: Heads, _ V: Heads, _ O: Heads, lse: UnsafeMutablePointer<Float>,
                             mask pm: UnsafeMutablePointer<Float>?, options: AttentionOptions,
                             b: Int, h: Int, t: Int, s: Int, d: Int, dv: Int, group: Int) {
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(s, 1))
        defer { scores.deallocate() }
        for bh in 0..<(b * h) {
            let bi = bh / h, hi = bh % h, kvh = hi / group
            let qb = Q.head(bi, hi), kb = K.head(bi, kvh), vb = V.head(bi, kvh), ob = O.head(bi, hi)
            let mask = pm.map { $0 + bi * s }
            for r in 0..<t {
                let visible = options.causal ? Swift.max(0, Swift.min(s, r + s - t + 1)) : s
                let q = qb + r * Q.st, o = ob + r * O.st
                for j in 0..<visible { scores[j] = options.scale * FastMath.dot(q, kb + j * K.st, d) }
                CPUBackend.maskedSoftmaxRow(scores, visible: visible, total: visible, mask: mask, lse: lse + bh * t + r)
                o.initialize(repeating: 0, count: dv)
                for j in 0..<visible where scores[j] != 0 {
                    let p = F16(repeating: scores[j])
                    FastMath.map2(o, vb + j * V.st, o, dv) { $0 + p * $1 }
                }
            }
        }
    }

    /// In place: row[0..<visible] becomes softmax over the keys the mask keeps, everything
    /// else 0; writes the row's log-sum-exp (-inf when nothing is visible).
    @inline(__always)
    static func maskedSoftmaxRow(_ row: UnsafeMutablePointer<Float>, visible: Int, total: Int,
                                 mask: UnsafeMutablePointer<Float>?, lse: UnsafeMutablePointer<Float>) {
        if let mask {
            for j in 0..<visible where mask[j] == 0 { row[j] = -.infinity }
        }
        let m = visible > 0 ? FastMath.max(row, visible) : -Float.infinity
        if m == -.infinity {
            row.update(repeating: 0, count: total)
            lse.pointee = -.infinity
            return
        }
        let mv = F16(repeating: m)
        FastMath.map(row, row, visible) { FastMath.exp($0 - mv) }
        if let mask {
            for j in 0..<visible where mask[j] == 0 { row[j] = 0 }
        }
        let sum = FastMath.sum(row, visible)
        let inv = F16(repeating: 1 / sum)
        FastMath.map(row, row, visible) { $0 * inv }
        if visible < total { (row + visible).update(repeating: 0, count: total - visible) }
        lse.pointee = m + Foundation.log(sum)
    }

    /// Attention backward (recomputes the probabilities from lse). Writes dq, dk, dv (each
    /// optional) of the shapes of q, k, v. Work is split by (batch, key/value head), so
    /// the query heads sharing a key/value head accumulate into it without races.
    public func attentionBackward(q: Tensor, k: Tensor, v: Tensor, keyMask: Tensor?, options: AttentionOptions,
                                  out: Tensor, lse: Tensor, grad: Tensor, dq: Tensor?, dk: Tensor?, dv dvOut: Tensor?) {
        let b = q.shape[0], h = q.shape[1], t = q.shape[2], d = q.shape[3]
        let hkv = k.shape[1], s = k.shape[2], dv = v.shape[3]
        let group = h / hkv
        let Q = Heads(q), K = Heads(k), V = Heads(v), O = Heads(out), G = Heads(grad)
        let pl = lse.floatPointer
        let pm = keyMask?.floatPointer
        let DQ = dq.map(Heads.init), DK = dk.map(Heads.init), DV = dvOut.map(Heads.init)
        let blk = CPUBackend.attentionBlock
        let shift = s - t
        BLAS.singleThreaded {
            Parallel.forEach(b * hkv) { bkv in
                let bi = bkv / hkv, kvh = bkv % hkv
                let kb = K.head(bi, kvh), vb = V.head(bi, kvh)
                let dkb = DK?.head(bi, kvh), dvb = DV?.head(bi, kvh)
                for j in 0..<s {
                    if let dkb { (dkb + j * DK!.st).initialize(repeating: 0, count: d) }
                    if let dvb { (dvb + j * DV!.st).initialize(repeating: 0, count: dv) }
                }
                let mask = pm.map { $0 + bi * s }
                let p = UnsafeMutablePointer<Float>.allocate(capacity: blk * s)
                let dp = UnsafeMutablePointer<Float>.allocate(capacity: blk * s)
                let di = UnsafeMutablePointer<Float>.allocate(capacity: blk)
                defer { p.deallocate(); dp.deallocate(); di.deallocate() }
                for hh in 0..<group {
                    let hi = kvh * group + hh, bh = bi * h + hi
                    let qb = Q.head(bi, hi), ob = O.head(bi, hi), gb = G.head(bi, hi), lb = pl + bh * t
                    let dqb = DQ?.head(bi, hi)
                    var i0 = 0
                    while i0 < t {
                        let rows = Swift.min(blk, t - i0)
                        let kmax = options.causal ? Swift.max(0, Swift.min(s, i0 + rows + shift)) : s
                        if kmax == 0 {
                            if let dqb { for r in 0..<rows { (dqb + (i0 + r) * DQ!.st).initialize(repeating: 0, count: d) } }
                            i0 += rows
                            continue
                        }
                        // P = exp(scale * Q K^T - lse), zero where masked.
                        BLAS.sgemm(transA: false, transB: true, m: rows, n: kmax, k: d, alpha: options.scale,
                                   a: qb + i0 * Q.st, lda: Q.st, b: kb, ldb: K.st, beta: 0, c: p, ldc: kmax)
                        for r in 0..<rows {
                            let row = p + r * kmax
                            let l = lb[i0 + r]
                            let visible = options.causal ? Swift.max(0, Swift.min(kmax, i0 + r + shift + 1)) : kmax
                            if l == -.infinity {
                                row.update(repeating: 0, count: kmax)
                                di[r] = 0
                                continue
                            }
                            let lv = F16(repeating: l)
                            FastMath.map(row, row, visible) { FastMath.exp($0 - lv) }
                            if let mask { for j in 0..<visible where mask[j] == 0 { row[j] = 0 } }
                            if visible < kmax { (row + visible).update(repeating: 0, count: kmax - visible) }
                            di[r] = FastMath.dot(gb + (i0 + r) * G.st, ob + (i0 + r) * O.st, dv)
                        }
                        // dV += P^T dO
                        if let dvb {
                            BLAS.sgemm(transA: true, transB: false, m: kmax, n: dv, k: rows, alpha: 1,
                                       a: p, lda: kmax, b: gb + i0 * G.st, ldb: G.st, beta: 1, c: dvb, ldc: DV!.st)
                        }
                        if dqb == nil && dkb == nil { i0 += rows; continue }
                        // dP = dO V^T; dS = P * (dP - D)
                        BLAS.sgemm(transA: false, transB: true, m: rows, n: kmax, k: dv, alpha: 1,
                                   a: gb + i0 * G.st, lda: G.st, b: vb, ldb: V.st, beta: 0, c: dp, ldc: kmax)
                        for r in 0..<rows {
                            let dv16 = F16(repeating: di[r])
                            FastMath.map2(p + r * kmax, dp + r * kmax, dp + r * kmax, kmax) { $0 * ($1 - dv16) }
                        }
                        // dQ = scale * dS K; dK += scale * dS^T Q
                        if let dqb {
                            BLAS.sgemm(transA: false, transB: false, m: rows, n: d, k: kmax, alpha: options.scale,
                                       a: dp, lda: kmax, b: kb, ldb: K.st, beta: 0, c: dqb + i0 * DQ!.st, ldc: DQ!.st)
                        }
                        if let dkb {
                            BLAS.sgemm(transA: true, transB: false, m: kmax, n: d, k: rows, alpha: options.scale,
                                       a: dp, lda: kmax, b: qb + i0 * Q.st, ldb: Q.st, beta: 1, c: dkb, ldc: DK!.st)
                        }
                        i0 += rows
                    }
                }
            }
        }
    }
}
