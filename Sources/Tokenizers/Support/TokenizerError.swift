import Foundation

/// Why a tokenizer could not be loaded. Every case prints as one line, `<what>: <where>`, with
/// the file and (for content problems) the JSON key path, so a user can find the problem without
/// a stack trace:
///
///     unsupported pre_tokenizer type "UnicodeScripts" (key pre_tokenizer.pretokenizers[1].type): /m/tokenizer.json
public enum TokenizerError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A required file (tokenizer.json) is not there.
    case missingFile(path: String)
    /// The file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// The bytes are not valid JSON; line and column are 1-based (column counts bytes).
    case malformedJSON(path: String, line: Int, column: Int, reason: String)
    /// A component type (model, normalizer, pre-tokenizer, ...) this module does not implement.
    case unsupported(path: String, keyPath: String, component: String, type: String)
    /// A key is missing or holds the wrong kind of value.
    case invalidValue(path: String, keyPath: String, problem: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "file not found: \(path)"
        case .unreadableFile(let path, let reason):
            return "cannot read file (\(reason)): \(path)"
        case .malformedJSON(let path, let line, let column, let reason):
            return "malformed JSON at line \(line), column \(column) (\(reason)): \(path)"
        case .unsupported(let path, let keyPath, let component, let type):
            return "unsupported \(component) type \"\(type)\" (key \(keyPath)): \(path)"
        case .invalidValue(let path, let keyPath, let problem):
            return "\(problem) (key \(keyPath)): \(path)"
        }
    }
}
