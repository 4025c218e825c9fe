/// Why an image could not be read, written or preprocessed. The description is one line
/// that names the file (or "image data" when decoding bytes with no name) and what is wrong,
/// e.g. `photos/cat.png: truncated PNG: data ends before the image does`.
public struct ImagingError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Empty, or neither PNG nor JPEG by its first bytes.
        case unknownFormat
        /// The data breaks the format's rules.
        case corrupt
        /// The data ends before the image does.
        case truncated
        /// A valid file of a variant that is not handled (e.g. 12-bit JPEG).
        case unsupported
        /// More pixels than the decoders accept.
        case tooLarge
        case outOfMemory
        /// The file could not be read at all (missing, a folder, no permission).
        case unreadable
        /// Arguments the call cannot honour (impossible sizes, quality out of range).
        case invalidArgument
        /// A preprocessor configuration that cannot produce square images, or a malformed
        /// preprocessor_config.json.
        case invalidConfiguration
    }

    public let kind: Kind
    /// The file the problem is in, when there is one.
    public let source: String?
    public let message: String

    public init(_ kind: Kind, _ message: String, source: String? = nil) {
        self.kind = kind
        self.message = message
        self.source = source
    }

    public var description: String { "\(source ?? "image data"): \(message)" }

    /// The same error, attributed to `source` if it names none yet.
    func naming(_ source: String?) -> ImagingError {
        guard self.source == nil, let source else { return self }
        return ImagingError(kind, message, source: source)
    }
}
