/// Errors raised by tensor operations. Every message names the operation and the shapes or
/// values involved, so that a bad model config or batch can be traced from one line.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(op: String, lhs: [Int], rhs: [Int])
    case indexOutOfRange(op: String, index: Int, bound: Int)
    case invalidArgument(op: String, message: String)
    case dtypeMismatch(op: String, expected: DType, got: DType)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, lhs, rhs):
            return "\(op): shapes \(lhs) and \(rhs) do not match"
        case let .indexOutOfRange(op, index, bound):
            return "\(op): index \(index) is out of range 0..<\(bound)"
        case let .invalidArgument(op, message):
            return "\(op): \(message)"
        case let .dtypeMismatch(op, expected, got):
            return "\(op): expected dtype \(expected.rawValue), got \(got.rawValue)"
        }
    }
}
