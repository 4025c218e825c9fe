/// A problem with a file vlmtune reads or writes. The description is one line: what is
/// wrong (naming the tensor, key or line where it applies), then the file.
public struct FormatError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let message: String

    public init(_ file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(message): \(file)" }
}
