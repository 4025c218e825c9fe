import Foundation
import Yams

/// A value in a recipe, as written in YAML (before it is checked against the schema).
public indirect enum RecipeValue: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([RecipeValue])
    case map([(String, RecipeValue)])

    public static func == (a: RecipeValue, b: RecipeValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.list(x), .list(y)): return x == y
        case let (.map(x), .map(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// From a YAML node, resolving scalars by their YAML 1.1 tags (as PyYAML does).
    init(_ node: Node) {
        switch node {
        case .scalar(let s):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: self = .null
            case Tag.Name.bool.rawValue: self = .bool(node.bool ?? false)
            case Tag.Name.int.rawValue: self = node.int.map { .int($0) } ?? .string(s.string)
            case Tag.Name.float.rawValue: self = node.float.map { .double($0) } ?? .string(s.string)
            default:
                // PyYAML reads 1e-3 (no dot) as a string; users mean a number.
                if s.style == .plain, let d = Double(s.string), s.string.lowercased().contains("e") { self = .double(d) } else { self = .string(s.string) }
            }
        case .sequence(let seq): self = .list(seq.map { RecipeValue($0) })
        case .mapping(let m): self = .map(m.map { (k, v) in (k.string ?? "\(k)", RecipeValue(v)) })
        case .alias: self = .null
        }
    }

    /// Parses a command-line override's value (`key.path=value`) as a YAML scalar or flow collection.
    public static func parse(_ text: String) -> RecipeValue {
        guard let node = try? Yams.compose(yaml: text) else { return .string(text) }
        return RecipeValue(node)
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return RecipeValue.format(d)
        case .string(let s): return RecipeValue.quoteIfNeeded(s)
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { "\($0.0): \($0.1.description)" }.joined(separator: ", ") + "}"
        }
    }

    static func format(_ d: Double) -> String {
        if d == d.rounded() && Swift.abs(d) < 1e15 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    static func quoteIfNeeded(_ s: String) -> String {
        let plainSafe = !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "_-./".contains($0) }
            && Double(s) == nil && !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(s.lowercased())
        if plainSafe { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The value as JSON-compatible Foundation objects (for inline model configs).
    public var foundation: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        case .list(let l): return l.map(\.foundation)
        case .map(let m): return Dictionary(m.map { ($0.0, $0.1.foundation) }, uniquingKeysWith: { _, b in b })
        }
    }
}
