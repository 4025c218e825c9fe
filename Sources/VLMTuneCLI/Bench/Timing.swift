import Foundation

/// Wall-clock timing helpers for `vlmtune bench`.
enum Timing {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Median seconds of `reps` runs of `body` after `warmup` untimed runs.
    static func median(warmup: Int = 1, reps: Int, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<warmup { try body() }
        var times: [Double] = []
        for _ in 0..<reps {
            let t0 = now()
            try body()
            times.append(now() - t0)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Peak resident set size of this process in MiB (ru_maxrss).
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
