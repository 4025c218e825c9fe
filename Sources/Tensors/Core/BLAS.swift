import CBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The BLAS library behind matrix products: OpenBLAS by default, any CBLAS via `VLMTUNE_BLAS`.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and silently falls back to slow
/// generic kernels. OpenBLAS reads `OPENBLAS_CORETYPE` once, when it is loaded, so the library
/// is opened here, lazily, after that variable is set from the CPU's features (AVX-512 ->
/// SkylakeX, AVX2 -> Haswell) unless the user set it. One log line says what was chosen.
public enum BLAS {
    public struct Library: Sendable {
        public let path: String
        /// OpenBLAS's core name after loading, when the library reports one.
        public let core: String?
        public let config: String?
        /// What was done to OPENBLAS_CORETYPE, for the log line and `bench`.
        public let coreTypeNote: String
    }

    public static let library: Library = load()

    /// Opens the library now (otherwise the first product does); returns what was loaded.
    @discardableResult
    public static func ensureLoaded() -> Library { library }

    private static func load() -> Library {
        let env = ProcessInfo.processInfo.environment
        let path = env["VLMTUNE_BLAS"] ?? "libopenblas.so.0"
        var note: String
        if let preset = env["OPENBLAS_CORETYPE"] {
            note = "OPENBLAS_CORETYPE=\(preset) from the environment"
        } else if path.contains("openblas") {
            if vlm_cpu_has_avx512() != 0 {
                setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
                note = "OPENBLAS_CORETYPE=SkylakeX set from CPU features (AVX-512)"
            } else if vlm_cpu_has_avx2_fma() != 0 {
                setenv("OPENBLAS_CORETYPE", "Haswell", 1)
                note = "OPENBLAS_CORETYPE=Haswell set from CPU features (AVX2+FMA)"
            } else {
                note = "no AVX2: OpenBLAS chooses its own kernels"
            }
        } else {
            note = "not OpenBLAS"
        }
        // OpenBLAS's idle workers spin on sched_yield for 2^28 cycles after each call, taking
        // the core from our own worker threads between products; 2^16 cycles lets them sleep
        // soon after (measured: 10-25% faster steps, a fifth of the system time).
        if env["OPENBLAS_THREAD_TIMEOUT"] == nil && path.contains("openblas") {
            setenv("OPENBLAS_THREAD_TIMEOUT", "16", 1)
            note += "; OPENBLAS_THREAD_TIMEOUT=16"
        }
        if let n = env["VLMTUNE_THREADS"], env["OPENBLAS_NUM_THREADS"] == nil {
            setenv("OPENBLAS_NUM_THREADS", n, 1)
        }
        var err = [CChar](repeating: 0, count: 512)
        if vlm_blas_open(path, &err, err.count) != 0 {
            let message = String(cString: err)
            fputs("error: cannot load the BLAS library \(path): \(message) (install libopenblas0 with `make setup`, or set VLMTUNE_BLAS to a CBLAS library)\n", stderr)
            exit(1)
        }
        let core = vlm_blas_corename().map { String(cString: $0) }
        let config = vlm_blas_config().map { String(cString: $0) }
        if let core, let wanted = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
           core.lowercased() != wanted.lowercased() {
            note += "; OpenBLAS reports core \(core) instead"
        }
        let threads = vlm_blas_get_threads()
        Log.info("BLAS \(path)\(config.map { " (\($0))" } ?? ""), core \(core ?? "n/a"), \(threads) threads: \(note)")
        return Library(path: path, core: core, config: config, coreTypeNote: note)
    }

    /// Row-major C = alpha * op(A) * op(B) + beta * C.
    @inline(__always)
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = library
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 {
                for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) }
            } else if beta != 1 {
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
            }
            return
        }
        vlm_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                  b, Int32(ldb), beta, c, Int32(ldc))
    }

    private static let threadLock = NSLock()
    nonisolated(unsafe) private static var singleThreadDepth = 0

    /// Runs `body` with the BLAS library single-threaded, so that our own threads can each
    /// call it on independent small products (attention heads) without contending for its pool.
    public static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        _ = library
        threadLock.lock()
        singleThreadDepth += 1
        let saved = singleThreadDepth == 1 ? vlm_blas_get_threads() : -1
        if singleThreadDepth == 1 && saved > 1 { vlm_blas_set_threads(1) }
        threadLock.unlock()
        defer {
            threadLock.lock()
            singleThreadDepth -= 1
            if singleThreadDepth == 0 && saved > 1 { vlm_blas_set_threads(saved) }
            threadLock.unlock()
        }
        return try body()
    }
}
