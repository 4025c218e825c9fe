/// Errors that stop an evaluation step as a whole. Problems with single items are not errors:
/// they are recorded as `SkippedItem`s and the rest goes on.
public enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file or folder could not be read at all.
    case unreadable(path: String, reason: String)
    /// A benchmark input is not in the format its converter reads.
    case invalidFormat(path: String, reason: String)
    /// An output could not be written.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read: \(path): \(reason)"
        case .invalidFormat(let path, let reason): return "invalid format: \(path): \(reason)"
        case .unwritable(let path, let reason): return "cannot write: \(path): \(reason)"
        }
    }
}
