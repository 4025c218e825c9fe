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
