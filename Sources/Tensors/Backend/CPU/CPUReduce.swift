extension CPUBackend {
    /// out[kept] = sum over `axes` of x. `out` is contiguous with x's shape minus the reduced
    /// axes (kept in order). Chooses between a row reduction (reduced axes innermost), a
    /// column accumulation (reduced axes outermost, e.g. bias gradients), and a copy to
    /// make the reduced axes innermost.
    public func sum(_ x: Tensor, axes: [Int], into out: Tensor) {
        let reduced = Set(axes)
        let kept = (0..<x.rank).filter { !reduced.contains($0) }
        let keptShape = kept.map { x.shape[$0] }
        let redShape = axes.sorted().map { x.shape[$0] }
        let outer = Shape.count(keptShape), inner = Shape.count(redShape)
        let po = out.floatPointer
        if inner == 0 { po.initialize(repeating: 0, count: outer); return }
        let red = Shape.coalesce(shape: redShape, strides: [axes.sorted().map { x.strides[$0] }])
        let keep = Shape.coalesce(shape: keptShape, strides: [kept.map { x.strides[$0] }])
        let base = x.storage.bytes.assumingMemoryBound(to: Float.self) + x.offset
        if red.shape.count == 1 && red.strides[0][0] == 1 {
            // Rows: each output element sums one contiguous run.
            let ks = keep.shape, kst = keep.strides[0], ost = Shape.contiguousStrides(ks)
            Parallel.forRange(outer, minChunk: Swift.max(1, 8192 / inner)) { range in
                StridedRuns.forEach2(shape: ks, strides0: kst, strides1: ost, base0: 0, base1: 0, range: range) { o, w, len in
                    let s = kst[ks.count - 1]
                    for i in 0..<len { po[w + i] = FastMath.sum(base + o + i * s, inner) }
                }
            }
            return
        }
        if keep.shape.count == 1 && keep.strides[0][0] == 1 {
            // Columns: accumulate each reduced row of `outer` contiguous values.
            let rs = red.shape, rst = red.strides[0]
            Parallel.forRange(outer, minChunk: 256) { cols in
                let acc = po + cols.lowerBound
                acc.initialize(repeating: 0, count: cols.count)
                StridedRuns.forEach2(shape: rs, strides0: rst, strides1: [Int](repeating: 0, count: rs.count),
                                     base0: 0, base1: 0, range: 0..<inner) { o, _, len in
                    let s = rst[rs.count - 1]
                    for i in 0..<len {
                        let row = base + o + i * s + cols.lowerBound
                        FastMath.map2(acc, row, acc, cols.count) { $0 + $1 }
                    }
                }
            }
            return
        }
        // General: move the reduced axes last, copy, then reduce rows.
        let perm = kept + axes.sorted()
        let moved = Tensor(storage: x.storage, shape: perm.map { x.shape[$0] }, strides: perm.map { x.strides[$0] },
                           offset: x.offset, dtype: x.dtype)
        let tmp = Tensor(empty: moved.shape)
        copy(moved, into: tmp)
        let t = tmp.floatPointer
        Parallel.forRange(outer, minChunk: Swift.max(1, 8192 / inner)) { r in
            for o in r { po[o] = FastMath.sum(t + o * inner, inner) }
        }
    }

    /// out[o, i] = max over j of x[o, j, i] for contiguous x viewed as [outer, n, inner];
    /// `indices` gets the first j of each maximum.
    public func max(_ x: Tensor, outer: Int, n: Int, inner: Int, into out: Tensor, indices: Tensor) {
        let px = x.floatPointer, po = out.floatPointer
        let pi = indices.pointer(as: Int32.self)
        Parallel.forRange(outer, minChunk: 1) { r in
            for o in r {
                let src = px + o * n * inner
                for i in 0..<inner {
                    var best = src[i], arg: Int32 = 0
                    if n > 1 {
                        for j in 1..<n where src[j * inner + i] > best || (best.isNaN == false && src[j * inner + i].isNaN) {
                            best = src[j * inner + i]; arg = Int32(j)
                        }
                    }
                    po[o * inner + i] = best
                    pi[o * inner + i] = arg
                }
            }
        }
    }
}
