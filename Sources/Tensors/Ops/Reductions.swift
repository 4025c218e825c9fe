/// Sums, means and maxima over axes.
extension Tensor {
    /// Sum over `axes` (all when nil).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let ax = try (axes ?? Array(0..<rank)).map { try Shape.axis($0, rank: rank, op: "sum") }.sorted()
        guard Set(ax).count == ax.count else {
            throw TensorError.invalidArgument(op: "sum", message: "repeated axes \(axes ?? [])")
        }
        let x = dtype == .float32 ? self : materialized(as: .float32)
        let keptShape = (0..<rank).filter { !ax.contains($0) }.map { shape[$0] }
        let out = Tensor(empty: keptShape)
        backend.sum(x, axes: ax, into: out)
        out.recorded([self]) { .sum(from: shape, axes: ax) }
        return keepDims ? try out.reshape((0..<rank).map { ax.contains($0) ? 1 : shape[$0] }) : out
    }

    /// Sum of all elements.
    public func sum() throws -> Tensor { try sum(axes: nil) }

    /// Mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let ax = try (axes ?? Array(0..<rank)).map { try Shape.axis($0, rank: rank, op: "mean") }
        let n = ax.reduce(1) { $0 * shape[$1] }
        return try sum(axes: ax, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean of all elements.
    public func mean() throws -> Tensor { try mean(axes: nil) }

    /// Maximum along `axis`; the gradient goes to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: "max")
        guard shape[a] > 0 else { throw TensorError.invalidArgument(op: "max", message: "empty dimension \(axis) of \(shape)") }
        let x = kernelInput()
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape
        outShape.remove(at: a)
        let out = Tensor(empty: outShape)
        let idx = Tensor(empty: outShape, dtype: .int32)
        backend.max(x, outer: outer, n: shape[a], inner: inner, into: out, indices: idx)
        out.recorded([self]) { .max(from: shape, axis: a, indices: idx) }
        return keepDims ? try out.unsqueeze(a) : out
    }

    /// Sums `self` (a gradient of the broadcast shape) down to `target`, the shape of the
    /// operand that was broadcast.
    func sumToShape(_ target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for (i, n) in target.enumerated() where n == 1 && shape[i + lead] != 1 { axes.append(i + lead) }
        return try sum(axes: axes).reshape(target)
    }
}
