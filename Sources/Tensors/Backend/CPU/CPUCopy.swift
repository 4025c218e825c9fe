import Foundation

extension CPUBackend {
    /// dst[...] = src[...] elementwise through both tensors' strides, converting dtypes
    /// (bf16/f16/int -> f32, f32 -> bf16/f16, int32 <-> int64, uint8 -> f32).
    public func copy(_ src: Tensor, into dst: Tensor) {
        precondition(src.shape == dst.shape, "copy: \(src.shape) into \(dst.shape)")
        let n = src.count
        if n == 0 { return }
        let (shape, s) = Shape.coalesce(shape: src.shape, strides: [src.strides, dst.strides])
        let sb = src.storage.bytes, db = dst.storage.bytes
        let so = src.offset, dO = dst.offset
        let st = src.dtype, dt = dst.dtype
        Parallel.forRange(n, minChunk: 1 << 15) { range in
            StridedRuns.forEach2(shape: shape, strides0: s[0], strides1: s[1], base0: so, base1: dO, range: range) { a, b, len in
                let sa = s[0][shape.count - 1], sd = s[1][shape.count - 1]
                CPUBackend.copyRun(sb, a, sa, st, db, b, sd, dt, len)
            }
        }
    }

    @inline(__always)
    static func copyRun(_ sb: UnsafeMutableRawPointer, _ so: Int, _ ss: Int, _ st: DType,
                        _ db: UnsafeMutableRawPointer, _ dO: Int, _ ds: Int, _ dt: DType, _ len: Int) {
        if st == dt && ss == 1 && ds == 1 {
            memcpy(db + dO * dt.size, sb + so * st.size, len * st.size)
            return
        }
        switch (st, dt) {
        case (.float32, .float32):
            let s = sb.assumingMemoryBound(to: Float.self), d = db.assumingMemoryBound(to: Float.self)
            for i in 0..<len { d[dO + i * ds] = s[so + i * ss] }
        case (.bfloat16, .float32):
            let s = sb.assumingMemoryBound(to: UInt16.self), d = db.assumingMemoryBound(to: Float.self)
            for i in 0..<len { d[dO + i * ds] = Float(bitPattern: UInt32(s[so + i * ss]) << 16) }
        case (.float16, .float32):
            let s = sb.assumingMemoryBound(to: Float16.self), d = db.assumingMemoryBound(to: Float.self)
            for i in 0..<len { d[dO + i * ds] = Float(s[so + i * ss]) }
        case (.float32, .bfloat16):
            let s = sb.assumingMemoryBound(to: Float.self), d = db.assumingMemoryBound(to: UInt16.self)
            for i in 0..<len { d[dO + i * ds] = BFloat16.fromFloat(s[so + i * ss]) }
        case (.float32, .float16):
            let s = sb.assumingMemoryBound(to: Float.self), d = db.assumingMemoryBound(to: Float16.self)
            for i in 0..<len { d[dO + i * ds] = Float16(s[so + i * ss]) }
        case (.int32, .int32), (.float16, .float16), (.bfloat16, .bfloat16), (.int64, .int64), (.uint8, .uint8):
            let w = st.size
            for i in 0..<len { memcpy(db + (dO + i * ds) * w, sb + (so + i * ss) * w, w) }
        default:
            // Remaining conversions (ints <-> floats) are rare and small: go through Double.
            for i in 0..<len {
                let v = CPUBackend.read(sb, so + i * ss, st)
                CPUBackend.write(db, dO + i * ds, dt, v)
            }
        }
    }

    @inline(__always) static func read(_ b: UnsafeMutableRawPointer, _ i: Int, _ t: DType) -> Double {
        switch t {
        case .float32: return Double(b.assumingMemoryBound(to: Float.self)[i])
        case .bfloat16: return Double(BFloat16.toFloat(b.assumingMemoryBound(to: UInt16.self)[i]))
        case .float16: return Double(b.assumingMemoryBound(to: Float16.self)[i])
        case .int32: return Double(b.assumingMemoryBound(to: Int32.self)[i])
        case .int64: return Double(b.assumingMemoryBound(to: Int64.self)[i])
        case .uint8: return Double(b.assumingMemoryBound(to: UInt8.self)[i])
        }
    }

    @inline(__always) static func write(_ b: UnsafeMutableRawPointer, _ i: Int, _ t: DType, _ v: Double) {
        switch t {
        case .float32: b.assumingMemoryBound(to: Float.self)[i] = Float(v)
        case .bfloat16: b.assumingMemoryBound(to: UInt16.self)[i] = BFloat16.fromFloat(Float(v))
        case .float16: b.assumingMemoryBound(to: Float16.self)[i] = Float16(Float(v))
        case .int32: b.assumingMemoryBound(to: Int32.self)[i] = Int32(v)
        case .int64: b.assumingMemoryBound(to: Int64.self)[i] = Int64(v)
        case .uint8: b.assumingMemoryBound(to: UInt8.self)[i] = UInt8(clamping: Int(v.rounded()))
        }
    }

    /// Sets every element of a contiguous f32 tensor.
    public func fill(_ t: Tensor, _ value: Float) {
        let p = t.floatPointer
        Parallel.forRange(t.count, minChunk: 1 << 16) { r in
            (p + r.lowerBound).update(repeating: value, count: r.count)
        }
    }
}
