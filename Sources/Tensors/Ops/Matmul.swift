/// Matrix products: `matmul` with batch broadcasting and `linear` (x W^T + b, HF layout).
extension Tensor {
    /// Matrix product over the last two dimensions, NumPy/PyTorch semantics: leading
    /// dimensions broadcast; 1-D operands are treated as a row (left) or column (right).
    /// Transposed views are passed to BLAS as such, without a copy.
    public func matmul(_ other: Tensor) throws -> Tensor {
        if rank == 1 { return try unsqueeze(0).matmul(other).squeeze(-2) }
        if other.rank == 1 { return try matmul(other.unsqueeze(-1)).squeeze(-1) }
        let m = shape[rank - 2], k = shape[rank - 1], k2 = other.shape[other.rank - 2], n = other.shape[other.rank - 1]
        guard k == k2, let batch = Shape.broadcast(Array(shape.dropLast(2)), Array(other.shape.dropLast(2))) else {
            throw TensorError.shapeMismatch(op: "matmul", lhs: shape, rhs: other.shape)
        }
        let out = Tensor(empty: batch + [m, n])
        let a = dtype == .float32 ? self : materialized(as: .float32)
        let b = other.dtype == .float32 ? other : other.materialized(as: .float32)
        if b.rank == 2 && a.isContiguous {
            // Fold a's batch into rows: one large product.
            let rows = Shape.count(batch) * m
            backend.matmul(Tensor.matrixView(a, rows: rows, cols: k), Tensor.matrixView(b),
                           into: Tensor.matrixView(out, rows: rows, cols: n), alpha: 1, beta: 0)
        } else {
            let a3 = Tensor.batchedView(a, batch: batch), b3 = Tensor.batchedView(b, batch: batch)
            backend.matmul(a3, b3, into: Tensor.batchedView(out, batch: batch), alpha: 1, beta: 0)
        }
        return out.recorded([self, other]) {
            .matmul(a: other.needsGrad ? a.detached() : nil, b: self.needsGrad ? b.detached() : nil,
                    aShape: shape, bShape: other.shape)
        }
    }

    /// Up to this many rows of x take the matrix-vector path of `linear` (decoding).
    static let matvecRows = 4

    /// x W^T + b for x [..., in], weight [out, in], bias [out]. Frozen bf16/f16 weights are
    /// converted per call and not kept for backward, except for a few rows of x (decoding),
    /// where bf16 weights are read as stored.
    public func linear(weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard weight.rank == 2, let inF = shape.last, weight.shape[1] == inF else {
            throw TensorError.shapeMismatch(op: "linear", lhs: shape, rhs: weight.shape)
        }
        let outF = weight.shape[0]
        if let bias, bias.shape != [outF] { throw TensorError.shapeMismatch(op: "linear bias", lhs: [outF], rhs: bias.shape) }
        let rows = count / Swift.max(inF, 1)
        let x = kernelInput()
        let out = Tensor(empty: Array(shape.dropLast()) + [outF])
        let out2 = Tensor.matrixView(out, rows: rows, cols: outF)
        if rows <= Tensor.matvecRows && weight.isContiguous && (weight.dtype == .bfloat16 || (weight.dtype == .float32 && rows == 1)) {
            // Decoding: a weight-bound matrix-vector product, bf16 weights read as stored.
            backend.matvecs(Tensor(storage: x.storage, shape: [rows, inF], strides: [inF, 1], offset: x.offset, dtype: .float32), weight: weight,
                            into: Tensor(storage: out.storage, shape: [rows, outF], strides: [outF, 1], offset: out.offset, dtype: .float32))
            if let bias {
                let b = bias.kernelInput().floatPointer, o = out.floatPointer
                for r in 0..<rows { for j in 0..<outF { o[r * outF + j] += b[j] } }
            }
        } else {
            let w = weight.kernelInput()
            if let bias {
                backend.copy(Tensor.matrixView(bias.kernelInput(), rows: 1, cols: outF).expandedView([1, rows, outF]), into: out2)
            }
            backend.matmul(Tensor.matrixView(x, rows: rows, cols: inF), Tensor.matrixView(w).transposedView(),
                           into: out2, alpha: 1, beta: bias == nil ? 0 : 1)
        }
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        return out.recorded(inputs) {
            .linear(x: weight.needsGrad ? x.detached() : nil, weight: self.needsGrad ? weight.detached() : nil,
                    hasBias: bias != nil)
        }
    }

    /// x W^T + b + scale * (x' A^T) B^T in one op (LoRA, x' = x * dropoutMask): the low-rank
    /// product is accumulated into the output by the GEMM itself and its gradients into dx,
    /// so the adapter costs two thin products and no extra elementwise passes.
    /// x [..., in], weight [out, in], a [r, in], b [out, r], dropoutMask shaped like x.
    public func linear(weight: Tensor, bias: Tensor?, loraA a: Tensor, loraB b: Tensor, scale: Float,
                       dropoutMask: Tensor? = nil) throws -> Tensor {
        guard weight.rank == 2, let inF = shape.last, weight.shape[1] == inF else {
            throw TensorError.shapeMismatch(op: "linear", lhs: shape, rhs: weight.shape)
        }
        let outF = weight.shape[0], r = a.shape[0]
        guard a.shape == [r, inF], b.shape == [outF, r] else {
            throw TensorError.shapeMismatch(op: "lora", lhs: a.shape, rhs: b.shape)
        }
        if let m = dropoutMask, m.shape != shape { throw TensorError.shapeMismatch(op: "lora dropout", lhs: shape, rhs: m.shape) }
        let base = try noGrad { try self.linear(weight: weight, bias: bias) }
        let rows = count / Swift.max(inF, 1)
        let x = kernelInput()
        let xd = try dropoutMask.map { m in try noGrad { try x * m } } ?? x
        let h = Tensor(empty: Array(shape.dropLast()) + [r])
        let ak = a.kernelInput(), bk = b.kernelInput()
        backend.matmul(Tensor.matrixView(xd, rows: rows, cols: inF), Tensor.matrixView(ak).transposedView(),
                       into: Tensor.matrixView(h, rows: rows, cols: r), alpha: 1, beta: 0)
        backend.matmul(Tensor.matrixView(h, rows: rows, cols: r), Tensor.matrixView(bk).transposedView(),
                       into: Tensor.matrixView(base, rows: rows, cols: outF), alpha: scale, beta: 1)
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        inputs += [a, b]
        return base.recorded(inputs) {
            .loraLinear(x: x.detached(), weight: weight.detached(), hasBias: bias != nil, a: ak.detached(), b: bk.detached(),
                        h: h, scale: scale, mask: dropoutMask?.kernelInput(), loraInput: xd.detached())
        }
    }

    // MARK: - Raw 3-D views for the backend (no graph)

    /// [1, rows, cols] view of contiguous storage.
    static func matrixView(_ t: Tensor, rows: Int, cols: Int) -> Tensor {
        Tensor(storage: t.storage, shape: [1, rows, cols], strides: [rows * cols, cols, 1], offset: t.offset, dtype: t.dtype)
    }

    /// [1, r, c] view of a 2-D tensor, keeping its strides when BLAS can read them
    /// (a transposed view, say), else of a contiguous copy.
    static func matrixView(_ t: Tensor) -> Tensor {
        let readable = CPUBackend.blasLayout(rows: t.shape[0], cols: t.shape[1], rowStride: t.strides[0], colStride: t.strides[1]) != nil
        let m = readable && t.dtype == .float32 ? t : t.materialized(as: .float32)
        return Tensor(storage: m.storage, shape: [1] + m.shape, strides: [0] + m.strides, offset: m.offset, dtype: m.dtype)
    }

    /// Swaps the last two dimensions of a raw view.
    func transposedView() -> Tensor {
        var s = shape, st = strides
        s.swapAt(rank - 1, rank - 2)
        st.swapAt(rank - 1, rank - 2)
        return Tensor(storage: storage, shape: s, strides: st, offset: offset, dtype: dtype)
    }

    func expandedView(_ to: [Int]) -> Tensor {
        Tensor(storage: storage, shape: to, strides: Shape.broadcastStrides(shape: shape, strides: strides, to: to),
               offset: offset, dtype: dtype)
    }

    /// [batchCount, M, N] view of t broadcast to `batch + t's last two dims`; copies when the
    /// broadcast batch dims cannot be expressed with one stride or the matrices are not
    /// BLAS-readable.
    static func batchedView(_ t: Tensor, batch: [Int]) -> Tensor {
        let r = t.shape[t.rank - 2], c = t.shape[t.rank - 1]
        let full = t.expandedView(batch + [r, c])
        let bs = Array(full.strides.dropLast(2))
        let merged = Shape.coalesce(shape: batch, strides: [bs])
        let n = Shape.count(batch)
        let rs = full.strides[full.rank - 2], cs = full.strides[full.rank - 1]
        if merged.shape.count == 1, CPUBackend.blasLayout(rows: r, cols: c, rowStride: rs, colStride: cs) != nil {
            let bStride = n == 1 ? 0 : merged.strides[0][0]
            return Tensor(storage: t.storage, shape: [n, r, c], strides: [bStride, rs, cs], offset: t.offset, dtype: t.dtype)
        }
        let copy = Tensor(empty: batch + [r, c])
        backend.copy(full, into: copy)
        return Tensor(storage: copy.storage, shape: [n, r, c], strides: [r * c, c, 1], offset: 0, dtype: .float32)
    }
}
