import CSIMD
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
        // One task per (batch, key/value head): K^T is built once for the query heads that
        // share it. Score rows are padded to 16 floats so softmax runs in whole vectors.
        let ld = CPUBackend.paddedRow(s)
        let (outLower, aLower, _) = CPUBackend.causalModes(options.causal)
        Parallel.forEach(b * hkv) { bkv in
            let bi = bkv / hkv, kvh = bkv % hkv
            let kb = K.head(bi, kvh), vb = V.head(bi, kvh)
            let mask = pm.map { $0 + bi * s }
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: blk * ld)
            let kt = UnsafeMutablePointer<Float>.allocate(capacity: d * s)
            defer { scores.deallocate(); kt.deallocate() }
            // NaN, not whatever malloc returns: a causal product leaves the scores above the
            // diagonal unwritten, and reading one by mistake must show in the output.
            scores.initialize(repeating: .nan, count: blk * ld)
            // K^T [d, S]: the products read B by rows.
            vlm_transpose(s, d, kb, K.st, kt, s)
            for hh in 0..<group {
                let hi = kvh * group + hh
                let qb = Q.head(bi, hi), ob = O.head(bi, hi), lb = pl + (bi * h + hi) * t
                var i0 = 0
                while i0 < t {
                    let rows = Swift.min(blk, t - i0)
                    let kmax = CPUBackend.visibleKeys(row: i0 + rows - 1, limit: s, shift: shift, causal: options.causal)
                    // causal: row r of the block sees keys j <= r + diag
                    let diag = i0 + shift
                    if kmax > 0 {
                        vlm_sgemm_small(rows, kmax, d, options.scale, qb + i0 * Q.st, Q.st, 1, kt, s, 0, scores, ld, outLower, diag)
                    }
                    for r in 0..<rows {
                        let visible = CPUBackend.visibleKeys(row: i0 + r, limit: kmax, shift: shift, causal: options.causal)
                        CPUBackend.maskedSoftmaxRow(scores + r * ld, visible: visible, total: kmax, mask: mask, lse: lb + i0 + r)
                    }
                    if kmax > 0 {
                        vlm_sgemm_small(rows, dv, kmax, 1, scores, ld, 1, vb, V.st, 0, ob + i0 * O.st, O.st, aLower, diag)
                    } else {
                        for r in 0..<rows { (ob + (i0 + r) * O.st).initialize(repeating: 0, count: dv) }
                    }
                    i0 += rows
                }
            }
        }
    }

    /// How `vlm_sgemm_small` may skip the parts of a causal block's products that are above
    /// the diagonal: scores wanted only on and below it, probabilities 0 above it (as P,
    /// and transposed as P^T).
    static func causalModes(_ causal: Bool) -> (outLower: Int32, aLower: Int32, aUpper: Int32) {
        causal ? (Int32(VLM_OUT_LOWER), Int32(VLM_A_LOWER), Int32(VLM_A_UPPER)) : (Int32(VLM_FULL), Int32(VLM_FULL), Int32(VLM_FULL))
    }

    /// How many of the first `limit` keys query row `row` sees: all of them, or under a causal
    /// mask those up to its diagonal (key j <= row + shift, shift = S - T, as with a KV cache).
    /// A block's `kmax` is what its last row sees.
    @inline(__always) static func visibleKeys(row: Int, limit: Int, shift: Int, causal: Bool) -> Int {
        causal ? Swift.max(0, Swift.min(limit, row + shift + 1)) : limit
    }

    /// A score row's stride: the row length rounded up to whole 16-float vectors.
    @inline(__always) static func paddedRow(_ n: Int) -> Int { (n + 15) & ~15 }

    /// Lane indices 0..15, for masking the last partial vector of a row.
    @inline(__always) static var laneIndex: F16 { F16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) }

    /// Decoding's attention: a few query rows against the cache, a few hundred thousand
    /// multiply-adds in all. That is less than a thread hand-off plus OpenBLAS's thread switch
    /// and two BLAS calls per head cost (70 us a layer for the small LLM, 9% of a decoded
    /// token), so it runs on the calling thread in vector loops. Same results as the blocked
    /// path up to summation order.
    func attentionFewQueries(_ Q: Heads, _ K: Heads, _ V: Heads, _ O: Heads, lse: UnsafeMutablePointer<Float>,
                             mask pm: UnsafeMutablePointer<Float>?, options: AttentionOptions,
                             b: Int, h: Int, t: Int, s: Int, d: Int, dv: Int, group: Int) {
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: CPUBackend.paddedRow(Swift.max(s, 1)))
        defer { scores.deallocate() }
        for bh in 0..<(b * h) {
            let bi = bh / h, hi = bh % h, kvh = hi / group
            let qb = Q.head(bi, hi), kb = K.head(bi, kvh), vb = V.head(bi, kvh), ob = O.head(bi, hi)
            let mask = pm.map { $0 + bi * s }
            for r in 0..<t {
                let visible = CPUBackend.visibleKeys(row: r, limit: s, shift: s - t, causal: options.causal)
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

    /// In place: row[0..<visible] becomes softmax over the keys the mask keeps, the rest of
    /// row[0..<total] 0; writes the row's log-sum-exp (-inf when nothing is visible). The row
    /// is worked in whole vectors, so it must have room up to `paddedRow(total)` floats.
    @inline(__always)
    static func maskedSoftmaxRow(_ row: UnsafeMutablePointer<Float>, visible: Int, total: Int,
                                 mask: UnsafeMutablePointer<Float>?, lse: UnsafeMutablePointer<Float>) {
        if let mask {
            for j in 0..<visible where mask[j] == 0 { row[j] = -.infinity }
        }
        let lanes = laneIndex, ninf = F16(repeating: -.infinity)
        var acc = ninf
        var i = 0
        while i < visible {
            var v = UnsafeRawPointer(row + i).loadUnaligned(as: F16.self)
            if i + 16 > visible { v.replace(with: ninf, where: lanes .>= Float(visible - i)) }
            acc = FastMath.max(acc, v)
            i += 16
        }
        let m = vlm_hmax16(acc)
        if m == -.infinity {
            row.update(repeating: 0, count: total)
            lse.pointee = -.infinity
            return
        }
        let mv = F16(repeating: m)
        var sums = F16()
        i = 0
        while i < visible {
            let v = UnsafeRawPointer(row + i).loadUnaligned(as: F16.self)
            var e = FastMath.exp(v - mv)
            // masked keys (-inf) and lanes past the visible ones are exactly 0
            e.replace(with: 0, where: v .== ninf)
            if i + 16 > visible { e.replace(with: 0, where: lanes .>= Float(visible - i)) }
            UnsafeMutableRawPointer(row + i).storeBytes(of: e, as: F16.self)
            sums += e
            i += 16
        }
        let sum = vlm_hsum16(sums)
        let inv = F16(repeating: 1 / sum)
        i = 0
        while i < visible {
            let p = UnsafeMutableRawPointer(row + i)
            p.storeBytes(of: p.loadUnaligned(as: F16.self) * inv, as: F16.self)
            i += 16
        }
        if i < total { (row + i).update(repeating: 0, count: total - i) }
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
        let (outLower, aLower, aUpper) = CPUBackend.causalModes(options.causal)
        Parallel.forEach(b * hkv) { bkv in
            let bi = bkv / hkv, kvh = bkv % hkv
            let kb = K.head(bi, kvh), vb = V.head(bi, kvh)
            let dkb = DK?.head(bi, kvh), dvb = DV?.head(bi, kvh)
            for j in 0..<s {
                if let dkb { (dkb + j * DK!.st).initialize(repeating: 0, count: d) }
                if let dvb { (dvb + j * DV!.st).initialize(repeating: 0, count: dv) }
            }
            let mask = pm.map { $0 + bi * s }
            let ld = CPUBackend.paddedRow(s)
            let p = UnsafeMutablePointer<Float>.allocate(capacity: blk * ld)
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: blk * ld)
            let di = UnsafeMutablePointer<Float>.allocate(capacity: blk)
            // K^T [d, S] and V^T [dv, S], shared by the query heads of this key/value head.
            let kt = UnsafeMutablePointer<Float>.allocate(capacity: d * s)
            let vt = UnsafeMutablePointer<Float>.allocate(capacity: dv * s)
            defer { p.deallocate(); dp.deallocate(); di.deallocate(); kt.deallocate(); vt.deallocate() }
            p.initialize(repeating: .nan, count: blk * ld)  // as in the forward pass
            dp.initialize(repeating: .nan, count: blk * ld)
            vlm_transpose(s, d, kb, K.st, kt, s)
            vlm_transpose(s, dv, vb, V.st, vt, s)
            for hh in 0..<group {
                let hi = kvh * group + hh, bh = bi * h + hi
                let qb = Q.head(bi, hi), ob = O.head(bi, hi), gb = G.head(bi, hi), lb = pl + bh * t
                let dqb = DQ?.head(bi, hi)
                var i0 = 0
                while i0 < t {
                    let rows = Swift.min(blk, t - i0)
                    let kmax = CPUBackend.visibleKeys(row: i0 + rows - 1, limit: s, shift: shift, causal: options.causal)
                    if kmax == 0 {
                        if let dqb { for r in 0..<rows { (dqb + (i0 + r) * DQ!.st).initialize(repeating: 0, count: d) } }
                        i0 += rows
                        continue
                    }
                    // causal: row r of the block sees keys j <= r + diag
                    let diag = i0 + shift
                    // P = exp(scale * Q K^T - lse), zero where masked.
                    vlm_sgemm_small(rows, kmax, d, options.scale, qb + i0 * Q.st, Q.st, 1, kt, s, 0, p, ld, outLower, diag)
                    let lanes = CPUBackend.laneIndex
                    for r in 0..<rows {
                        let row = p + r * ld
                        let l = lb[i0 + r]
                        let visible = CPUBackend.visibleKeys(row: i0 + r, limit: kmax, shift: shift, causal: options.causal)
                        if l == -.infinity {
                            row.update(repeating: 0, count: ld)
                            di[r] = 0
                            continue
                        }
                        // whole vectors; lanes past the visible keys become 0
                        let lv = F16(repeating: l)
                        var j = 0
                        while j < visible {
                            let q = UnsafeMutableRawPointer(row + j)
                            var e = FastMath.exp(q.loadUnaligned(as: F16.self) - lv)
                            if j + 16 > visible { e.replace(with: 0, where: lanes .>= Float(visible - j)) }
                            q.storeBytes(of: e, as: F16.self)
                            j += 16
                        }
                        if let mask { for j in 0..<visible where mask[j] == 0 { row[j] = 0 } }
                        if j < ld { (row + j).update(repeating: 0, count: ld - j) }
                        di[r] = FastMath.dot(gb + (i0 + r) * G.st, ob + (i0 + r) * O.st, dv)
                    }
                    // dV += P^T dO
                    if let dvb {
                        vlm_sgemm_small(kmax, dv, rows, 1, p, 1, ld, gb + i0 * G.st, G.st, 1, dvb, DV!.st, aUpper, diag)
                    }
                    if dqb == nil && dkb == nil { i0 += rows; continue }
                    // dP = dO V^T; dS = P * (dP - D) in whole vectors
                    vlm_sgemm_small(rows, kmax, dv, 1, gb + i0 * G.st, G.st, 1, vt, s, 0, dp, ld, outLower, diag)
                    for r in 0..<rows {
                        let visible = CPUBackend.visibleKeys(row: i0 + r, limit: kmax, shift: shift, causal: options.causal)
                        let width = CPUBackend.paddedRow(visible)
                        let dv16 = F16(repeating: di[r])
                        FastMath.map2(p + r * ld, dp + r * ld, dp + r * ld, width) { $0 * ($1 - dv16) }
                        // dS is 0 past the visible keys (dP there may not have been computed)
                        if width < ld { (dp + r * ld + width).update(repeating: 0, count: ld - width) }
                    }
                    // dQ = scale * dS K; dK += scale * dS^T Q
                    if let dqb {
                        vlm_sgemm_small(rows, d, kmax, options.scale, dp, ld, 1, kb, K.st, 0, dqb + i0 * DQ!.st, DQ!.st, aLower, diag)
                    }
                    if let dkb {
                        vlm_sgemm_small(kmax, d, rows, options.scale, dp, 1, ld, qb + i0 * Q.st, Q.st, 1, dkb, DK!.st, aUpper, diag)
                    }
                    i0 += rows
                }
            }
        }
    }
}
