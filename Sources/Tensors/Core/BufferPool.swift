#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Recycles tensor buffers by size class.
///
/// A training step allocates similar activation and gradient shapes every step; keeping the
/// freed buffers in size buckets means a steady-state step makes almost no malloc/free calls
/// for tensors and, above all, no page faults from fresh mmap'd memory (measured: a demo
/// stage spent a third of its time in the kernel faulting pages in before size classes).
/// Sizes are rounded up to classes four per power of two (at most 25% slack), so batches of
/// varying sequence length still reuse each other's buffers. The pool holds at most
/// `capacity` idle bytes; beyond that buffers go back to the system allocator.
public final class BufferPool: @unchecked Sendable {
    public static let shared = BufferPool()

    /// Alignment of every buffer: a cache line, and what AVX-512 loads like.
    public static let alignment = 64

    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var idleBytes = 0
    private let lock = NSLock()
    /// Most idle bytes kept for reuse.
    public var capacity: Int

    /// Counters, for tests and `bench`.
    public private(set) var systemAllocations = 0
    public private(set) var reuses = 0

    init() {
        let physical = Int(ProcessInfo.processInfo.physicalMemory)
        capacity = max(256 << 20, min(physical / 4, 4 << 30))
    }

    /// The size class of a request: multiples of 64 bytes up to 4 KiB, then 2^k * {1, 1.25, 1.5, 1.75}.
    @inline(__always) public static func sizeClass(_ byteCount: Int) -> Int {
        let n = max(byteCount, 1)
        if n <= 4096 { return (n + 63) & ~63 }
        let k = Int.bitWidth - 1 - (n - 1).leadingZeroBitCount  // 2^k < n <= 2^(k+1)
        let quarter = 1 << (k - 2)
        return ((n + quarter - 1) / quarter) * quarter
    }

    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let n = BufferPool.sizeClass(byteCount)
        lock.lock()
        if var bucket = free[n], let p = bucket.popLast() {
            free[n] = bucket
            idleBytes -= n
            reuses += 1
            lock.unlock()
            return p
        }
        systemAllocations += 1
        lock.unlock()
        var p: UnsafeMutableRawPointer?
        let rc = posix_memalign(&p, BufferPool.alignment, n)
        guard rc == 0, let ptr = p else {
            fatalError("out of memory allocating \(n) bytes")
        }
        return ptr
    }

    public func release(_ p: UnsafeMutableRawPointer, byteCount: Int) {
        let n = BufferPool.sizeClass(byteCount)
        lock.lock()
        if idleBytes + n <= capacity {
            free[n, default: []].append(p)
            idleBytes += n
            lock.unlock()
            return
        }
        lock.unlock()
        Foundation.free(p)
    }

    /// Returns every idle buffer to the system.
    public func trim() {
        lock.lock()
        for (_, bucket) in free { for p in bucket { Foundation.free(p) } }
        free = [:]
        idleBytes = 0
        lock.unlock()
    }

    public var idleByteCount: Int {
        lock.lock(); defer { lock.unlock() }
        return idleBytes
    }
}

/// The memory behind one or more tensors (views share it).
public final class Storage: @unchecked Sendable {
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    /// When set, the memory belongs to this object (a memory-mapped file, say) and is not freed here.
    public let owner: AnyObject?

    /// A new buffer from the pool; contents undefined unless `zeroed`.
    public init(byteCount: Int, zeroed: Bool = false) {
        self.byteCount = byteCount
        self.bytes = BufferPool.shared.allocate(byteCount: byteCount)
        self.owner = nil
        if zeroed { memset(bytes, 0, max(byteCount, 1)) }
    }

    /// Wraps memory owned by `owner`, which is kept alive as long as this storage is.
    public init(borrowing bytes: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject) {
        self.bytes = bytes
        self.byteCount = byteCount
        self.owner = owner
    }

    deinit {
        if owner == nil { BufferPool.shared.release(bytes, byteCount: byteCount) }
    }
}
