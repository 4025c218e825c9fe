/// Shape ops that return views sharing storage (reshape copies only when it must).
extension Tensor {
    /// A view with a new shape of the same element count; one dimension may be -1.
    /// Copies only when this tensor's layout cannot be viewed that way.
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        if let i = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape)
            }
            target[i] = count / known
        }
        guard Shape.count(target) == count, !target.contains(where: { $0 < 0 }) else {
            throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape)
        }
        if target == shape { return self }
        let base = isContiguous ? self : materialized()
        let out = Tensor(storage: base.storage, shape: target, strides: Shape.contiguousStrides(target),
                         offset: base.offset, dtype: dtype)
        return out.recorded([self]) { .reshape(from: shape) }
    }

    /// Flattens dimensions `start...end` into one.
    public func flatten(from start: Int = 0, to end: Int = -1) throws -> Tensor {
        let s = try Shape.axis(start, rank: rank, op: "flatten"), e = try Shape.axis(end, rank: rank, op: "flatten")
        guard s <= e else { return self }
        let merged = shape[s...e].reduce(1, *)
        return try reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    /// Inserts a size-1 dimension at `dim`.
    public func unsqueeze(_ dim: Int) throws -> Tensor {
        let d = dim < 0 ? dim + rank + 1 : dim
        guard d >= 0 && d <= rank else { throw TensorError.indexOutOfRange(op: "unsqueeze", index: dim, bound: rank + 1) }
        var s = shape
        s.insert(1, at: d)
        return try reshape(s)
    }

    /// Removes a size-1 dimension.
    public func squeeze(_ dim: Int) throws -> Tensor {
        let d = try Shape.axis(dim, rank: rank, op: "squeeze")
        guard shape[d] == 1 else {
            throw TensorError.invalidArgument(op: "squeeze", message: "dimension \(dim) of \(shape) is not 1")
        }
        var s = shape
        s.remove(at: d)
        return try reshape(s)
    }

    /// Reorders dimensions: result dimension i is this tensor's dimension `perm[i]`.
    public func permute(_ perm: [Int]) throws -> Tensor {
        guard perm.count == rank, Set(perm) == Set(0..<rank) else {
            throw TensorError.invalidArgument(op: "permute", message: "\(perm) is not a permutation of the \(rank) dimensions of \(shape)")
        }
        if perm == Array(0..<rank) { return self }
        let out = Tensor(storage: storage, shape: perm.map { shape[$0] }, strides: perm.map { strides[$0] },
                         offset: offset, dtype: dtype)
        return out.recorded([self]) { .permute(perm) }
    }

    /// Swaps two dimensions (default: the last two).
    public func transposed(_ d0: Int = -2, _ d1: Int = -1) throws -> Tensor {
        let a = try Shape.axis(d0, rank: rank, op: "transpose"), b = try Shape.axis(d1, rank: rank, op: "transpose")
        var perm = Array(0..<rank)
        perm.swapAt(a, b)
        return try permute(perm)
    }

    /// Elements `start..<end` along `dim` (negative bounds count from the end).
    public func slice(dim: Int, start: Int, end: Int) throws -> Tensor {
        let d = try Shape.axis(dim, rank: rank, op: "slice")
        let n = shape[d]
        let lo = start < 0 ? start + n : start, hi = end < 0 ? end + n : end
        guard lo >= 0, hi <= n, lo <= hi else {
            throw TensorError.invalidArgument(op: "slice", message: "range \(start)..<\(end) outside dimension \(dim) of \(shape)")
        }
        var s = shape
        s[d] = hi - lo
        let out = Tensor(storage: storage, shape: s, strides: strides, offset: offset + lo * strides[d], dtype: dtype)
        return out.recorded([self]) { .slice(from: shape, dim: d, start: lo) }
    }

    /// Splits `dim` into pieces of the given sizes (views).
    public func split(_ sizes: [Int], dim: Int) throws -> [Tensor] {
        let d = try Shape.axis(dim, rank: rank, op: "split")
        guard sizes.reduce(0, +) == shape[d] else {
            throw TensorError.invalidArgument(op: "split", message: "sizes \(sizes) do not add up to dimension \(dim) of \(shape)")
        }
        var start = 0
        return try sizes.map { n in
            defer { start += n }
            return try slice(dim: d, start: start, end: start + n)
        }
    }

    /// Broadcasts size-1 dimensions (and new leading ones) to `newShape` without copying.
    public func expand(_ newShape: [Int]) throws -> Tensor {
        guard newShape.count >= rank, Shape.broadcast(shape, newShape) == newShape else {
            throw TensorError.shapeMismatch(op: "expand", lhs: shape, rhs: newShape)
        }
        if newShape == shape { return self }
        let out = Tensor(storage: storage, shape: newShape,
                         strides: Shape.broadcastStrides(shape: shape, strides: strides, to: newShape),
                         offset: offset, dtype: dtype)
        return out.recorded([self]) { .expand(from: shape) }
    }

    /// This tensor in row-major contiguous layout, floating point as f32 (itself when it
    /// already is so).
    public func contiguous() -> Tensor {
        if isContiguous && (dtype == .float32 || !dtype.isFloatingPoint) { return self }
        return materialized().recorded([self]) { .identity }
    }

    /// A contiguous copy outside the graph (converted to f32 when floating point).
    func materialized(as target: DType? = nil) -> Tensor {
        let t = target ?? (dtype.isFloatingPoint ? .float32 : dtype)
        let out = Tensor(empty: shape, dtype: t)
        backend.copy(self, into: out)
        return out
    }

    /// A contiguous copy with its own storage (outside the graph).
    public func copy() -> Tensor { materialized(as: dtype) }

    /// A copy converted to `dtype` (outside the graph).
    public func cast(_ dtype: DType) -> Tensor { materialized(as: dtype) }

    /// Contiguous f32, outside the graph: what kernels read. No copy when already so.
    func kernelInput() -> Tensor {
        (isContiguous && dtype == .float32) ? self : materialized(as: .float32)
    }
}
