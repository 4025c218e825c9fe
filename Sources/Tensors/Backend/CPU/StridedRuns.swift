/// Row-major traversal of strided operands in runs along the innermost dimension: the
/// building block of copies and broadcasting elementwise kernels. Shapes are coalesced
/// first, so the common cases (contiguous, row broadcast, transposed copy) have long runs.
enum StridedRuns {
    /// Calls `body(offset0, offset1, length)` for each run covering linear indices `range`
    /// of `shape`; operand k's element i of the run is at `offset_k + i * innerStride_k`.
    @inline(__always)
    static func forEach2(shape: [Int], strides0: [Int], strides1: [Int], base0: Int, base1: Int,
                         range: Range<Int>, _ body: (Int, Int, Int) -> Void) {
        let rank = shape.count
        let inner = shape[rank - 1]
        var idx = [Int](repeating: 0, count: rank)
        var rem = range.lowerBound
        for d in stride(from: rank - 1, through: 0, by: -1) {
            idx[d] = rem % shape[d]
            rem /= shape[d]
        }
        var o0 = base0, o1 = base1
        for d in 0..<(rank - 1) {
            o0 += idx[d] * strides0[d]
            o1 += idx[d] * strides1[d]
        }
        var j = idx[rank - 1]
        var left = range.count
        let is0 = strides0[rank - 1], is1 = strides1[rank - 1]
        while left > 0 {
            let run = min(inner - j, left)
            body(o0 + j * is0, o1 + j * is1, run)
            left -= run
            j = 0
            var d = rank - 2
            while d >= 0 {
                idx[d] += 1
                o0 += strides0[d]
                o1 += strides1[d]
                if idx[d] < shape[d] { break }
                o0 -= strides0[d] * shape[d]
                o1 -= strides1[d] * shape[d]
                idx[d] = 0
                d -= 1
            }
        }
    }

    /// Three-operand form of `forEach2`.
    @inline(__always)
    static func forEach3(shape: [Int], strides0: [Int], strides1: [Int], strides2: [Int],
                         base0: Int, base1: Int, base2: Int,
                         range: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
        let rank = shape.count
        let inner = shape[rank - 1]
        var idx = [Int](repeating: 0, count: rank)
        var rem = range.lowerBound
        for d in stride(from: rank - 1, through: 0, by: -1) {
            idx[d] = rem % shape[d]
            rem /= shape[d]
        }
        var o0 = base0, o1 = base1, o2 = base2
        for d in 0..<(rank - 1) {
            o0 += idx[d] * strides0[d]
            o1 += idx[d] * strides1[d]
            o2 += idx[d] * strides2[d]
        }
        var j = idx[rank - 1]
        var left = range.count
        let is0 = strides0[rank - 1], is1 = strides1[rank - 1], is2 = strides2[rank - 1]
        while left > 0 {
            let run = min(inner - j, left)
            body(o0 + j * is0, o1 + j * is1, o2 + j * is2, run)
            left -= run
            j = 0
            var d = rank - 2
            while d >= 0 {
                idx[d] += 1
                o0 += strides0[d]
                o1 += strides1[d]
                o2 += strides2[d]
                if idx[d] < shape[d] { break }
                o0 -= strides0[d] * shape[d]
                o1 -= strides1[d] * shape[d]
                o2 -= strides2[d] * shape[d]
                idx[d] = 0
                d -= 1
            }
        }
    }
}
