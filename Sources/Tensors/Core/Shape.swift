/// Shape and stride arithmetic shared by views, kernels and broadcasting.
public enum Shape {
    public static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = s
            s *= shape[d]
        }
        return strides
    }

    /// Row-major contiguous (size-1 dimensions may have any stride).
    public static func isContiguous(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// NumPy broadcasting of two shapes, or nil when they are incompatible.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Strides that read a tensor of `shape`/`strides` as if it had the (broadcast) shape `to`:
    /// 0 along broadcast dimensions.
    public static func broadcastStrides(shape: [Int], strides: [Int], to: [Int]) -> [Int] {
        let lead = to.count - shape.count
        var out = [Int](repeating: 0, count: to.count)
        for i in 0..<shape.count where shape[i] != 1 || to[i + lead] == 1 {
            out[i + lead] = shape[i] == 1 ? 0 : strides[i]
        }
        return out
    }

    /// Normalises a possibly negative axis.
    public static func axis(_ d: Int, rank: Int, op: String) throws -> Int {
        let a = d < 0 ? d + rank : d
        guard a >= 0 && a < max(rank, 1) else { throw TensorError.indexOutOfRange(op: op, index: d, bound: rank) }
        return a
    }

    /// Calls `body` with the storage offset of every element, row-major.
    public static func forEachOffset(shape: [Int], strides: [Int], offset: Int, _ body: (Int) -> Void) {
        let n = count(shape)
        if n == 0 { return }
        if shape.isEmpty { body(offset); return }
        var index = [Int](repeating: 0, count: shape.count)
        var off = offset
        let last = shape.count - 1
        for _ in 0..<n {
            body(off)
            var d = last
            while d >= 0 {
                index[d] += 1
                off += strides[d]
                if index[d] < shape[d] { break }
                off -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Merges adjacent dimensions that are contiguous with each other in every operand, so
    /// that kernels loop over as few dimensions as possible. Returns the merged shape and the
    /// merged strides of each operand.
    public static func coalesce(shape: [Int], strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides: [[Int]] = Array(repeating: [], count: strides.count)
        for d in 0..<shape.count {
            if shape[d] == 1 { continue }
            if let lastSize = outShape.last {
                var mergeable = true
                for k in 0..<strides.count where outStrides[k].last! != strides[k][d] * shape[d] {
                    mergeable = false
                    break
                }
                if mergeable {
                    outShape[outShape.count - 1] = lastSize * shape[d]
                    for k in 0..<strides.count { outStrides[k][outStrides[k].count - 1] = strides[k][d] }
                    continue
                }
            }
            outShape.append(shape[d])
            for k in 0..<strides.count { outStrides[k].append(strides[k][d]) }
        }
        if outShape.isEmpty {
            outShape = [1]
            for k in 0..<strides.count { outStrides[k] = [1] }
        }
        return (outShape, outStrides)
    }
}
