import Foundation

/// A parsed JSON value, shared by everything in the toolkit that reads JSON with exact error
/// positions (tokenizer files, chat data, eval sets).
///
/// Objects keep every (key, value) pair in file order instead of a `[String: JSONValue]`:
/// Swift compares and hashes `String`s up to Unicode canonical equivalence, so a vocabulary
/// holding both "é" (U+00E9) and "e\u{301}" would silently lose one of them in a dictionary;
/// and ScienceQA's `problems.json` is ordered by problem id. Numbers keep their literal text,
/// so an integer id `17` stays "17", not "17.0".
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's literal text, valid JSON number syntax.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in file order; a repeated key is kept twice, and lookups find the last one, as
    /// Python's `json` does.
    case object([JSONMember])

    /// The member named `key` of an object (the last one if the key repeats; keys compared
    /// byte for byte), else nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members.reversed() where member.key.utf8.elementsEqual(key.utf8) { return member.value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as an `Int` when it is a number without fraction or exponent that fits.
    public var intValue: Int? {
        if case .number(let literal) = self { return Int(literal) }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let literal) = self { return Double(literal) }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var members: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// A short name of the value's kind, for messages ("expected a string, found a number").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

public struct JSONMember: Equatable, Sendable {
    public let key: String
    public let value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Where and why a JSON text is malformed.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Zero-based byte offset into the parsed text.
    public let offset: Int
    /// One-based line and column (in bytes) of `offset`.
    public let line: Int
    public let column: Int
    public let message: String

    public var description: String { "\(message) at line \(line), column \(column)" }
}

/// A strict JSON parser (RFC 8259) that reports the line and column of the first error.
///
/// Written here rather than using `JSONSerialization` for three reasons: exact error positions
/// for users, strings kept exactly (no bridging through NSString, duplicate-looking keys kept),
/// and speed on the multi-megabyte vocabularies of real tokenizers.
public struct JSONParser {
    /// Parses one JSON value that fills `bytes` (whitespace and a UTF-8 byte-order mark around
    /// it allowed).
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            return try parser.parseDocument()
        }
    }

    public static func parse(_ text: String) throws -> JSONValue { try parse(Array(text.utf8)) }

    /// Parses `data`; throws `TokenizerError.malformedJSON` naming `path` on failure.
    static func parse(_ data: Data, path: String) throws -> JSONValue {
        do {
            return try data.withUnsafeBytes { raw -> JSONValue in
                var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
                return try parser.parseDocument()
            }
        } catch let error as JSONParseError {
            throw TokenizerError.malformedJSON(path: path, line: error.line, column: error.column, reason: error.message)
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    /// Deeper nesting than this is refused instead of risking the stack.
    private static let maximumDepth = 512

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private mutating func parseDocument() throws -> JSONValue {
        // A UTF-8 byte-order mark is tolerated.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw failure("unexpected text after the JSON value") }
        return value
    }

    private func failure(_ reason: String, at position: Int? = nil) -> JSONParseError {
        let end = min(position ?? index, bytes.count)
        var line = 1, lineStart = 0
        for i in 0 ..< end where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return JSONParseError(offset: end, line: line, column: end - lineStart + 1, message: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> JSONValue {
        guard index < bytes.count else { throw failure("unexpected end of data") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("unexpected character '\(printable(bytes[index]))'")
        }
    }

    private func printable(_ byte: UInt8) -> String {
        (0x21 ..< 0x7F).contains(byte) ? String(UnicodeScalar(byte)) : String(format: "0x%02X", byte)
    }

    private mutating func expectWord(_ word: String) throws {
        for expected in word.utf8 {
            guard index < bytes.count, bytes[index] == expected else { throw failure("invalid literal, expected \(word)") }
            index += 1
        }
    }

    private mutating func enterContainer() throws {
        depth += 1
        if depth > Self.maximumDepth { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        index += 1
        var entries: [JSONMember] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(entries)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of data inside an object") }
            guard bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after an object key") }
            index += 1
            skipWhitespace()
            entries.append(JSONMember(key: key, value: try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of data inside an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(entries)
            }
            throw failure("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of data inside an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            throw failure("expected ',' or ']' in an array")
        }
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        let integerDigits = digits()
        guard integerDigits > 0 else { throw failure("invalid number") }
        if integerDigits > 1, bytes[index - integerDigits] == UInt8(ascii: "0") { throw failure("leading zero in a number", at: start) }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw failure("invalid number: no digit after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw failure("invalid number: no digit in the exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< index]), as: UTF8.self)
        return .number(text)
    }

    private mutating func parseString() throws -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes, so the bytes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("control character inside a string") }
            index += 1
        }
        var buffer = [UInt8](UnsafeBufferPointer(rebasing: bytes[start ..< index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            }
            if byte < 0x20 { throw failure("control character inside a string") }
            if byte != UInt8(ascii: "\\") {
                buffer.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): buffer.append(0x22)
            case UInt8(ascii: "\\"): buffer.append(0x5C)
            case UInt8(ascii: "/"): buffer.append(0x2F)
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800 ..< 0xDC00).contains(code) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        let save = index
                        index += 2
                        let low = try parseHex4()
                        if (0xDC00 ..< 0xE000).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            index = save
                            code = 0xFFFD
                        }
                    } else {
                        code = 0xFFFD
                    }
                } else if (0xDC00 ..< 0xE000).contains(code) {
                    code = 0xFFFD
                }
                appendUTF8(UnicodeScalar(code) ?? "\u{FFFD}", to: &buffer)
            default:
                throw failure("invalid escape '\\\(printable(escape))'", at: index - 1)
            }
        }
        throw failure("unterminated string", at: start - 1)
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0 ..< 4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func appendUTF8(_ scalar: UnicodeScalar, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UTF8.encode(scalar)!)
    }
}

/// A JSON value together with where it came from (file and key path), so that every
/// type error names its location. All accessors throw `TokenizerError.invalidValue`.
struct JSONNode {
    let value: JSONValue
    /// The file (or description of the data) the document was read from.
    let source: String
    /// The parent's key path and this node's key or "[index]": joined only when needed (an
    /// error), since a vocabulary has a hundred thousand children.
    private let parentPath: String?
    private let component: String

    init(root value: JSONValue, source: String) {
        self.value = value
        self.source = source
        self.parentPath = nil
        self.component = ""
    }

    private init(value: JSONValue, parentPath: String, component: String, source: String) {
        self.value = value
        self.parentPath = parentPath
        self.component = component
        self.source = source
    }

    /// Dotted key path from the document root, e.g. `pre_tokenizer.pretokenizers[1]`.
    var keyPath: String {
        guard let parentPath else { return "(root)" }
        if component.hasPrefix("[") { return parentPath + component }
        return parentPath == "(root)" ? component : parentPath + "." + component
    }

    func invalid(_ problem: String) -> TokenizerError {
        .invalidValue(path: source, keyPath: keyPath, problem: problem)
    }

    private func child(value: JSONValue, key: String, path: String) -> JSONNode {
        JSONNode(value: value, parentPath: path, component: key, source: source)
    }

    /// The child under `key`, or nil when the key is absent (a JSON null is returned as a node).
    func child(_ key: String) -> JSONNode? {
        value[key].map { child(value: $0, key: key, path: keyPath) }
    }

    /// The child under `key`, treating JSON null like an absent key.
    func nonNullChild(_ key: String) -> JSONNode? {
        guard let node = child(key), !node.isNull else { return nil }
        return node
    }

    func required(_ key: String) throws -> JSONNode {
        guard let node = child(key) else { throw child(value: .null, key: key, path: keyPath).invalid("missing key") }
        return node
    }

    var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    var isObject: Bool {
        if case .object = value { return true }
        return false
    }

    func string() throws -> String {
        guard case .string(let text) = value else { throw invalid("expected a string, found \(value.kindName)") }
        return text
    }

    func bool() throws -> Bool {
        guard case .bool(let flag) = value else { throw invalid("expected a boolean, found \(value.kindName)") }
        return flag
    }

    func int() throws -> Int {
        guard let number = value.doubleValue, let integer = Int(exactly: number) else {
            throw invalid("expected an integer, found \(value.kindName)")
        }
        return integer
    }

    func array() throws -> [JSONNode] {
        guard case .array(let items) = value else { throw invalid("expected an array, found \(value.kindName)") }
        let path = keyPath
        return items.enumerated().map { child(value: $1, key: "[\($0)]", path: path) }
    }

    /// The (key, child) pairs of an object, in file order.
    func entries() throws -> [(key: String, node: JSONNode)] {
        guard case .object(let pairs) = value else { throw invalid("expected an object, found \(value.kindName)") }
        let path = keyPath
        return pairs.map { ($0.key, child(value: $0.value, key: $0.key, path: path)) }
    }

    /// `key` as a string; nil when absent or null.
    func optionalString(_ key: String) throws -> String? { try nonNullChild(key)?.string() }

    /// `key` as a boolean; `fallback` when absent or null.
    func bool(_ key: String, default fallback: Bool) throws -> Bool { try nonNullChild(key)?.bool() ?? fallback }

    /// `key` as an integer; `fallback` when absent or null.
    func int(_ key: String, default fallback: Int) throws -> Int { try nonNullChild(key)?.int() ?? fallback }
}
