#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Minimal leveled logging to stderr. The command line sets `Log.level`; libraries log
/// one-line facts a user may need (which BLAS kernels were chosen, skipped samples, ...).
public enum Log {
    public enum Level: Int, Comparable, Sendable {
        case debug = 0, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    nonisolated(unsafe) public static var level: Level = {
        if let v = getenv("VLMTUNE_LOG").map({ String(cString: $0) }) {
            switch v {
            case "debug": return .debug
            case "warning": return .warning
            case "error": return .error
            default: return .info
            }
        }
        return .info
    }()

    public static func debug(_ message: @autoclosure () -> String) { emit(.debug, "debug", message) }
    public static func info(_ message: @autoclosure () -> String) { emit(.info, "info", message) }
    public static func warning(_ message: @autoclosure () -> String) { emit(.warning, "warning", message) }

    private static func emit(_ l: Level, _ tag: String, _ message: () -> String) {
        guard l >= level else { return }
        let line = "\(tag): \(message())\n"
        fputs(line, stderr)
    }
}
