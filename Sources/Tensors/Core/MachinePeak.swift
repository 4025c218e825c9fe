import CSIMD

/// The CPU's measured f32 FMA ceiling, the denominator of model FLOPs utilisation.
///
/// Measured rather than assumed: on a shared machine the clock (and so the ceiling) moves by
/// 30% and more between sessions, so utilisation is only meaningful against a ceiling taken
/// in the same process as the work it is compared with (`vlmtune bench` prints both).
public enum MachinePeak {
    /// FLOPs one call of `vlm_fma_run` does per thread and iteration: 12 chains x 16 lanes x
    /// (multiply + add).
    static let flopsPerIteration = Double(VLM_PEAK_CHAINS * VLM_PEAK_LANES * 2)

    /// GFLOP/s of `threads` threads running independent vector FMA chains: the best of
    /// `repeats` runs of about `seconds` each (a ceiling is a maximum; a run that lost its
    /// core to another process for a moment says nothing about the hardware).
    public static func fmaGFLOPs(threads: Int = Parallel.threads, seconds: Double = 0.2, repeats: Int = 3) -> Double {
        // Calibrate the iteration count on one short run, then time the real ones.
        let probe = 200_000
        let t = Swift.max(run(threads: threads, iterations: probe).seconds, 1e-6)
        let iterations = Swift.max(probe, Int(Double(probe) * seconds / t))
        var best = 0.0
        for _ in 0..<Swift.max(1, repeats) {
            let s = run(threads: threads, iterations: iterations).seconds
            best = Swift.max(best, flopsPerIteration * Double(iterations) * Double(threads) / s / 1e9)
        }
        return best
    }

    /// One timed run: wall seconds of the slowest thread and thread 0's checksum (the sum of
    /// its 12 x 16 accumulators).
    static func run(threads: Int, iterations: Int) -> (seconds: Double, checksum: Double) {
        var checksum = 0.0
        let seconds = vlm_fma_run(Int32(threads), iterations, &checksum)
        return (seconds, checksum)
    }
}
