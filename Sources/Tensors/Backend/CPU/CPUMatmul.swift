import CSIMD

extension CPUBackend {
    /// How BLAS reads one matrix view: transposed or not, and its leading dimension.
    /// Nil when neither dimension has unit stride (the caller copies first).
    static func blasLayout(rows: Int, cols: Int, rowStride: Int, colStride: Int) -> (trans: Bool, ld: Int)? {
        if cols == 1 && rows == 1 { return (false, 1) }
        if colStride == 1 || cols == 1 {
            let ld = rows == 1 ? cols : rowStride
            if ld >= Swift.max(cols, 1) { return (false, ld) }
        }
        if rowStride == 1 || rows == 1 {
            let ld = cols == 1 ? rows : colStride
            if ld >= Swift.max(rows, 1) { return (true, ld) }
        }
        return nil
    }

    /// c[i] = alpha * a[i] @ b[i] + beta * c[i] over a batch. a: [batch, M, K], b: [batch, K, N],
    /// c: [batch, M, N] (c contiguous in its last two dims); a batch stride of 0 broadcasts.
    /// Each matrix of a and b must have unit stride in one of its dimensions (checked by the
    /// caller with `blasLayout`). Large products use BLAS's own threads; a batch of small
    /// ones is spread over our threads with single-threaded BLAS calls.
    public func matmul(_ a: Tensor, _ b: Tensor, into c: Tensor, alpha: Float, beta: Float) {
        precondition(a.rank == 3 && b.rank == 3 && c.rank == 3)
        let batch = c.shape[0], m = c.shape[1], n = c.shape[2], k = a.shape[2]
        guard let la = CPUBackend.blasLayout(rows: m, cols: k, rowStride: a.strides[1], colStride: a.strides[2]),
              let lb = CPUBackend.blasLayout(rows: k, cols: n, rowStride: b.strides[1], colStride: b.strides[2]) else {
            preconditionFailure("matmul: operands need unit stride in one dimension")
        }
        let pa = a.storage.bytes.assumingMemoryBound(to: Float.self) + a.offset
        let pb = b.storage.bytes.assumingMemoryBound(to: Float.self) + b.offset
        let pc = c.floatPointer
        let sa = a.strides[0], sb = b.strides[0], sc = c.strides[0], ldc = c.strides[1]
        if batch == 1 && CPUBackend.isThin(m: m, n: n, k: k) && (!lb.trans || k * n <= CPUBackend.thinTransposeLimit) {
            thinMatmul(m: m, n: n, k: k, alpha: alpha, a: pa, la: la, b: pb, lb: lb, beta: beta, c: pc, ldc: Swift.max(ldc, n))
            return
        }
        let one = { (i: Int) in
            BLAS.sgemm(transA: la.trans, transB: lb.trans, m: m, n: n, k: k, alpha: alpha,
                       a: pa + i * sa, lda: la.ld, b: pb + i * sb, ldb: lb.ld, beta: beta, c: pc + i * sc, ldc: Swift.max(ldc, n))
        }
        if batch > 1 && m * n * k < (1 << 22) && Parallel.threads > 1 {
            BLAS.singleThreaded { Parallel.forEach(batch, one) }
        } else {
            for i in 0..<batch { one(i) }
        }
    }

    /// Products the unpacked kernel of `vlm_gemm_small.c` does faster than OpenBLAS, which
    /// packs both operands on every call: at most 128 columns (LoRA's rank, a narrow key/value
    /// projection, the demo's 128-wide LLM), or a thin inner or row dimension (at most 32).
    /// Measured one product at a time on 2 threads (C accumulated, as LoRA does): 4096x16x128
    /// 173 vs 59 GFLOP/s, 4096x128x16 135 vs 40, 4096x128x128 197 vs 163, 16x344x4096 144 vs
    /// 81; OpenBLAS stays ahead with many columns and a deep k (1024x688x256: 186 vs 130;
    /// 2048x576x64: 166 vs 155). Matrix-vector shapes (fewer than 4 rows or 16 columns) and a
    /// deep k with many rows (the kernel streams B once per 8 rows) also stay with BLAS.
    static func isThin(m: Int, n: Int, k: Int) -> Bool {
        m >= 4 && n >= 16 && n <= 4096 && (n <= 128 || Swift.min(m, k) <= 32) && (k <= 2048 || m <= 512)
    }
    /// A transposed B is transposed first, if it has at most this many floats.
    static let thinTransposeLimit = 1 << 18

    /// C = alpha A B + beta C with `vlm_sgemm_small`, split over our threads by blocks of rows
    /// (or of columns when there are few rows). B is read row-major; a transposed B (the
    /// HF weight layout, small here by `thinTransposeLimit`) is transposed first.
    func thinMatmul(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, la: (trans: Bool, ld: Int),
                    b: UnsafePointer<Float>, lb: (trans: Bool, ld: Int), beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        let (ars, acs) = la.trans ? (1, la.ld) : (la.ld, 1)
        var scratch: UnsafeMutablePointer<Float>?
        defer { scratch?.deallocate() }
        var rowB = b, ldb = lb.ld
        if lb.trans {
            let t = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
            vlm_transpose(n, k, b, lb.ld, t, n)
            scratch = t
            rowB = UnsafePointer(t)
            ldb = n
        }
        let full = Int32(VLM_FULL)
        if m * n * k < 1 << 16 {
            vlm_sgemm_small(m, n, k, alpha, a, ars, acs, rowB, ldb, beta, c, ldc, full, 0)
        } else if m >= 16 * Parallel.threads {
            // blocks of whole 8-row tiles
            Parallel.forRange((m + 7) / 8) { tiles in
                let r0 = tiles.lowerBound * 8, r1 = Swift.min(m, tiles.upperBound * 8)
                vlm_sgemm_small(r1 - r0, n, k, alpha, a + r0 * ars, ars, acs, rowB, ldb, beta, c + r0 * ldc, ldc, full, 0)
            }
        } else {
            // blocks of whole 32-column tiles
            Parallel.forRange((n + 31) / 32) { tiles in
                let j0 = tiles.lowerBound * 32, j1 = Swift.min(n, tiles.upperBound * 32)
                vlm_sgemm_small(m, j1 - j0, k, alpha, a, ars, acs, rowB + j0, ldb, beta, c + j0, ldc, full, 0)
            }
        }
    }

    /// y[r] = W x[r] for the few rows of x [rows, in] (f32, contiguous) and a contiguous
    /// weight [out, in]: the batch-1 decoding product, bound by reading W. A C kernel
    /// (vlm_gemv.c) reads the weights as stored, prefetching into L2 ahead of use: bf16 is
    /// widened in registers (half the bytes of f32, never converted as a whole), and f32 reads
    /// 1.6x faster than OpenBLAS's sgemv here. Output rows are split over `vlm_pool.c`'s
    /// spinning threads (the ones `Parallel` uses), whose hand-off costs far less than a
    /// decoding-sized product.
    public func matvecs(_ x: Tensor, weight: Tensor, into y: Tensor) {
        let rows = x.shape[0], cols = x.shape[1], outF = weight.shape[0]
        let px = x.floatPointer, py = y.floatPointer
        let threads = Int32(Parallel.threads)
        if weight.dtype == .float32 {
            let pw = weight.floatPointer
            for r in 0..<rows { vlm_gemv_f32(pw, cols, cols, px + r * cols, py + r * outF, outF, threads) }
            return
        }
        precondition(weight.dtype == .bfloat16, "matvecs: f32 or bf16 weights")
        let pw = (weight.storage.bytes + weight.offset * 2).assumingMemoryBound(to: UInt16.self)
        for r in 0..<rows { vlm_gemv_bf16(pw, cols, cols, px + r * cols, py + r * outF, outF, threads) }
    }
}
