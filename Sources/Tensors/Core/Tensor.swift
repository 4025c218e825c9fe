/// An n-dimensional array with a strided view onto shared storage, and the hooks reverse-mode
/// autodiff needs.
///
/// Tensors are reference types: views (`reshape`, `permute`, `slice`, `expand`) share
/// storage and copy nothing; `contiguous()` copies only when the layout requires it.
/// Arithmetic is f32. A tensor with `requiresGrad` is a leaf whose `grad` is filled by
/// `backward()`; tensors produced from such leaves remember how they were made (`gradFn`).
///
/// ```swift
/// let w = Tensor.randn([4, 3], rng: &rng).requiringGrad()
/// let x = Tensor.ones([2, 3])
/// let loss = try x.matmul(w.transposed()).sum()
/// try loss.backward()
/// print(w.grad!.shape)  // [4, 3]
/// ```
public final class Tensor: CustomStringConvertible {
    public let storage: Storage
    public let shape: [Int]
    /// Element strides (not bytes).
    public let strides: [Int]
    /// Element offset of the first element within `storage`.
    public let offset: Int
    public let dtype: DType

    /// Leaf tensors with this set collect gradients in `grad`.
    public var requiresGrad = false
    /// The accumulated gradient of a leaf, after `backward()`.
    public var grad: Tensor?
    /// The operation that produced this tensor, when it is part of a recorded graph.
    public internal(set) var gradFn: Node?

    public init(storage: Storage, shape: [Int], strides: [Int], offset: Int = 0, dtype: DType) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
    }

    /// A new contiguous tensor with undefined contents (zeroed when `zeroed`).
    public convenience init(empty shape: [Int], dtype: DType = .float32, zeroed: Bool = false) {
        let n = Shape.count(shape)
        self.init(storage: Storage(byteCount: n * dtype.size, zeroed: zeroed), shape: shape,
                  strides: Shape.contiguousStrides(shape), dtype: dtype)
    }

    // MARK: - Basic properties

    public var rank: Int { shape.count }
    public var count: Int { Shape.count(shape) }
    public var isContiguous: Bool { Shape.isContiguous(shape: shape, strides: strides) }
    /// True for tensors that take part in gradient computation.
    public var needsGrad: Bool { requiresGrad || gradFn != nil }
    public var isLeaf: Bool { gradFn == nil }

    /// Size of dimension `d` (negative counts from the end).
    public func size(_ d: Int) -> Int { shape[d < 0 ? d + rank : d] }

    /// Pointer to the first f32 element. Valid only for `.float32` tensors.
    public var floatPointer: UnsafeMutablePointer<Float> {
        precondition(dtype == .float32, "floatPointer on a \(dtype) tensor")
        return storage.bytes.assumingMemoryBound(to: Float.self) + offset
    }

    /// Pointer to the first element, typed `T`. The caller states the dtype matches.
    public func pointer<T>(as: T.Type) -> UnsafeMutablePointer<T> {
        precondition(MemoryLayout<T>.size == dtype.size, "pointer(as: \(T.self)) on a \(dtype) tensor")
        return storage.bytes.assumingMemoryBound(to: T.self) + offset
    }

    /// Marks this leaf as trainable and returns it.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// A tensor sharing this one's storage, cut from the gradient graph.
    public func detached() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }

    public var description: String {
        let values = count <= 16 ? " \(scalarsAsDouble().map { Float($0) })" : ""
        return "Tensor(\(dtype.rawValue) \(shape)\(values))"
    }
}

// MARK: - Construction

extension Tensor {
    /// A contiguous f32 tensor with `scalars` in row-major order.
    public convenience init(shape: [Int], scalars: [Float]) throws {
        guard Shape.count(shape) == scalars.count else {
            throw TensorError.invalidArgument(
                op: "Tensor(shape:scalars:)", message: "shape \(shape) needs \(Shape.count(shape)) values, got \(scalars.count)")
        }
        self.init(empty: shape, dtype: .float32)
        scalars.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { floatPointer.update(from: base, count: src.count) }
        }
    }

    /// A contiguous int32 tensor.
    public convenience init(shape: [Int], int32s: [Int32]) throws {
        guard Shape.count(shape) == int32s.count else {
            throw TensorError.invalidArgument(
                op: "Tensor(shape:int32s:)", message: "shape \(shape) needs \(Shape.count(shape)) values, got \(int32s.count)")
        }
        self.init(empty: shape, dtype: .int32)
        let p = pointer(as: Int32.self)
        for (i, v) in int32s.enumerated() { p[i] = v }
    }

    /// A contiguous int64 tensor.
    public convenience init(shape: [Int], int64s: [Int64]) throws {
        guard Shape.count(shape) == int64s.count else {
            throw TensorError.invalidArgument(
                op: "Tensor(shape:int64s:)", message: "shape \(shape) needs \(Shape.count(shape)) values, got \(int64s.count)")
        }
        self.init(empty: shape, dtype: .int64)
        let p = pointer(as: Int64.self)
        for (i, v) in int64s.enumerated() { p[i] = v }
    }

    /// A rank-0 f32 tensor.
    public static func scalar(_ value: Float) -> Tensor {
        full([], value)
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(empty: shape, dtype: dtype, zeroed: true)
    }

    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = Tensor(empty: shape, dtype: .float32)
        t.floatPointer.initialize(repeating: value, count: t.count)
        return t
    }

    /// 0, 1, ..., n-1 as f32.
    public static func arange(_ n: Int) -> Tensor {
        let t = Tensor(empty: [n])
        let p = t.floatPointer
        for i in 0..<n { p[i] = Float(i) }
        return t
    }

    /// Normal(mean, std) samples.
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout RandomGenerator) -> Tensor {
        let t = Tensor(empty: shape)
        rng.fillNormal(t.floatPointer, count: t.count, mean: mean, std: std)
        return t
    }

    /// Uniform [low, high) samples.
    public static func uniform(_ shape: [Int], low: Float, high: Float, rng: inout RandomGenerator) -> Tensor {
        let t = Tensor(empty: shape)
        rng.fillUniform(t.floatPointer, count: t.count, low: low, high: high)
        return t
    }
}

// MARK: - Reading values back

extension Tensor {
    /// All elements in row-major order, converted to f32.
    public var scalars: [Float] { scalarsAsDouble().map { Float($0) } }

    /// All elements in row-major order as Int (for id and index tensors).
    public var integers: [Int] { scalarsAsDouble().map { Int($0) } }

    /// The single value of a one-element tensor.
    public func item() -> Float {
        precondition(count == 1, "item() on a tensor of shape \(shape)")
        return scalars[0]
    }

    /// Reads elements through the strides, in row-major order. Exact for every dtype we hold
    /// (int64 ids beyond 2^53 do not occur).
    func scalarsAsDouble() -> [Double] {
        var out = [Double]()
        out.reserveCapacity(count)
        Shape.forEachOffset(shape: shape, strides: strides, offset: offset) { i in
            out.append(readElement(at: i))
        }
        return out
    }

    @inline(__always) func readElement(at i: Int) -> Double {
        let b = storage.bytes
        switch dtype {
        case .float32: return Double(b.assumingMemoryBound(to: Float.self)[i])
        case .bfloat16: return Double(BFloat16.toFloat(b.assumingMemoryBound(to: UInt16.self)[i]))
        case .float16: return Double(Float(Float16(bitPattern: b.assumingMemoryBound(to: UInt16.self)[i])))
        case .int32: return Double(b.assumingMemoryBound(to: Int32.self)[i])
        case .int64: return Double(b.assumingMemoryBound(to: Int64.self)[i])
        case .uint8: return Double(b.assumingMemoryBound(to: UInt8.self)[i])
        }
    }
}

/// bfloat16 <-> f32 bit conversions (round to nearest even, as PyTorch does).
public enum BFloat16 {
    @inline(__always) public static func toFloat(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    @inline(__always) public static func fromFloat(_ f: Float) -> UInt16 {
        let u = f.bitPattern
        if f.isNaN { return UInt16(truncatingIfNeeded: (u >> 16) | 0x40) }
        let rounding = ((u >> 16) & 1) + 0x7FFF
        return UInt16(truncatingIfNeeded: (u &+ rounding) >> 16)
    }
}
