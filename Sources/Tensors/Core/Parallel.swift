import CSIMD
import Foundation

/// Parallel loops for the kernels that BLAS does not cover (elementwise, reductions, norms,
/// softmax, attention). Work is split into at most `threads` contiguous chunks, so each
/// thread streams through its own part of memory. The threads are `vlm_pool.c`'s: they spin
/// for ~40 us after a job, so a chain of small kernels (a decoding step has ~600) pays no
/// wake-up per kernel, where libdispatch's hand-off cost ~10-20 us each; the decoding
/// products share the same threads.
public enum Parallel {
    /// Worker count: `VLMTUNE_THREADS` or the number of active cores.
    public static let threads: Int = {
        if let s = ProcessInfo.processInfo.environment["VLMTUNE_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Runs `body` over `0..<n` split into ranges of at least `minChunk` items.
    /// Runs inline when the work is too small to be worth a thread hand-off.
    @inline(__always)
    public static func forRange(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = min(threads, n / max(minChunk, 1))
        if chunks <= 1 {
            if n > 0 { body(0..<n) }
            return
        }
        run(chunks) { c in
            let lo = n * c / chunks
            let hi = n * (c + 1) / chunks
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Runs `body(i)` for every `i` in `0..<n`, items distributed dynamically over the threads.
    /// For uneven items (attention heads with causal masks, images of different sizes).
    public static func forEach(_ n: Int, _ body: (Int) -> Void) {
        if n <= 1 || threads == 1 {
            for i in 0..<n { body(i) }
            return
        }
        run(n, body)
    }

    /// `body(i)` for `i` in `0..<tasks` on the pool: the pool hands out indices one at a time.
    static func run(_ tasks: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { pointer in
                vlm_pool_run(Int32(tasks), Int32(threads), { ctx, i in
                    ctx!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(i))
                }, pointer)
            }
        }
    }
}
