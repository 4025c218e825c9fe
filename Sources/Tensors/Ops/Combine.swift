/// Joining, padding and indexing.
extension Tensor {
    /// Concatenates tensors along `dim`; all other dimensions must agree.
    public static func concat(_ parts: [Tensor], dim: Int) throws -> Tensor {
        guard let first = parts.first else { throw TensorError.invalidArgument(op: "concat", message: "no tensors") }
        let d = try Shape.axis(dim, rank: first.rank, op: "concat")
        var outShape = first.shape
        outShape[d] = 0
        for p in parts {
            var a = p.shape, b = first.shape
            guard a.count == b.count else { throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: p.shape) }
            a[d] = 0; b[d] = 0
            guard a == b else { throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: p.shape) }
            outShape[d] += p.shape[d]
        }
        let dt: DType = first.dtype.isFloatingPoint ? .float32 : first.dtype
        let out = Tensor(empty: outShape, dtype: dt)
        var start = 0
        for p in parts {
            let dst = Tensor(storage: out.storage, shape: p.shape, strides: out.strides,
                             offset: start * out.strides[d], dtype: dt)
            backend.copy(p, into: dst)
            start += p.shape[d]
        }
        return out.recorded(parts) { .concat(dim: d, sizes: parts.map { $0.shape[d] }) }
    }

    /// Stacks equally shaped tensors along a new dimension `dim`.
    public static func stack(_ parts: [Tensor], dim: Int = 0) throws -> Tensor {
        try concat(parts.map { try $0.unsqueeze(dim) }, dim: dim)
    }

    /// Pads with `value`; `padding[i]` = (before, after) for dimension i (missing trailing
    /// entries mean no padding).
    public func padded(_ padding: [(Int, Int)], value: Float = 0) throws -> Tensor {
        guard padding.count <= rank, padding.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) else {
            throw TensorError.invalidArgument(op: "pad", message: "padding \(padding) for shape \(shape)")
        }
        let pads = padding + Array(repeating: (0, 0), count: rank - padding.count)
        let outShape = zip(shape, pads).map { $0 + $1.0 + $1.1 }
        let out = Tensor.full(outShape, value)
        let before = pads.map(\.0)
        let off = zip(before, out.strides).map { $0 * $1 }.reduce(0, +)
        backend.copy(self, into: Tensor(storage: out.storage, shape: shape, strides: out.strides, offset: off, dtype: .float32))
        return out.recorded([self]) { .pad(from: shape, before: before) }
    }

    /// Rows `indices` of dimension `dim`.
    public func indexSelect(dim: Int, indices: [Int]) throws -> Tensor {
        let d = try Shape.axis(dim, rank: rank, op: "indexSelect")
        for i in indices where i < 0 || i >= shape[d] { throw TensorError.indexOutOfRange(op: "indexSelect", index: i, bound: shape[d]) }
        let out = try noGrad { () -> Tensor in
            var perm = Array(0..<rank)
            perm.remove(at: d)
            perm.insert(d, at: 0)
            let front = try permute(perm).kernelInput()
            var gShape = front.shape
            gShape[0] = indices.count
            let gathered = Tensor(empty: gShape)
            backend.gatherRows(front, indices: indices, into: gathered)
            var inverse = [Int](repeating: 0, count: rank)
            for (i, p) in perm.enumerated() { inverse[p] = i }
            return try gathered.permute(inverse).kernelInput()
        }
        return out.recorded([self]) { .indexSelect(dim: d, indices: indices, from: shape) }
    }

    /// Reads an integer tensor as indices, each checked to lie in `0..<bound` (values equal
    /// to `allowed` pass unchecked, e.g. -100 ignore labels).
    public func indexValues(op: String, bound: Int, allowed: Int? = nil) throws -> [Int] {
        guard !dtype.isFloatingPoint else {
            throw TensorError.invalidArgument(op: op, message: "indices must be an integer tensor, got \(dtype.rawValue)")
        }
        let v = integers
        for i in v where (i < 0 || i >= bound) && i != allowed {
            throw TensorError.indexOutOfRange(op: op, index: i, bound: bound)
        }
        return v
    }

    /// Embedding lookup: rows of `weight` [vocab, d] for integer `ids` of any shape;
    /// output ids.shape + [d].
    public static func embedding(_ ids: Tensor, weight: Tensor) throws -> Tensor {
        guard weight.rank == 2 else { throw TensorError.invalidArgument(op: "embedding", message: "weight must be 2-D, got \(weight.shape)") }
        let v = weight.shape[0], d = weight.shape[1]
        let idx = try ids.indexValues(op: "embedding", bound: v)
        // Half-precision tables are gathered as they are stored (only the looked-up rows are converted).
        let table = weight.isContiguous && weight.dtype.isFloatingPoint ? weight : weight.kernelInput()
        let out = Tensor(empty: ids.shape + [d])
        backend.gatherRows(table, indices: idx, into: out)
        return out.recorded([weight]) { .embedding(indices: idx, vocab: v, dim: d) }
    }
}
