import Foundation

/// Progress on stderr: one redrawn line with a bar on a terminal, plain periodic lines
/// otherwise (logs, CI).
public final class Progress {
    public var total: Int
    let label: String
    let isTTY: Bool
    let start = Date()
    var lastPlain = Date.distantPast

    public init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
        isTTY = isatty(STDERR_FILENO) != 0
    }

    /// Redraws (TTY) or prints every `plainEvery` seconds / on `force` (non-TTY).
    public func update(done: Int, detail: String, force: Bool = false) {
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        if isTTY {
            let width = 24
            let filled = Int(Double(width) * Double(done) / Double(total))
            let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
            let line = "\r\(label) \(done)/\(total) [\(bar)] \(detail) ETA \(Progress.clock(eta))\u{1B}[K"
            FileHandle.standardError.write(line.data(using: .utf8)!)
            if done >= total { FileHandle.standardError.write("\n".data(using: .utf8)!) }
        } else if force || Date().timeIntervalSince(lastPlain) >= 10 || done >= total {
            lastPlain = Date()
            FileHandle.standardError.write("\(label) \(done)/\(total) \(detail) elapsed \(Progress.clock(elapsed)) ETA \(Progress.clock(eta))\n".data(using: .utf8)!)
        }
    }

    /// Ends a redrawn line before other output.
    public func interrupt() {
        if isTTY { FileHandle.standardError.write("\n".data(using: .utf8)!) }
    }

    public static func clock(_ s: Double) -> String {
        guard s.isFinite else { return "--:--" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}
