/// A parsed JSON value that keeps what the eval-set loader needs to judge an input: object keys
/// in file order (ScienceQA's `problems.json` is ordered by problem id) and numbers as written
/// (so an integer `question_id` becomes the id `"17"`, not `"17.0"`).
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's literal text, valid JSON number syntax.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in file order; a repeated key is kept twice, and lookups find the last one, as
    /// Python's `json` does.
    case object([Member])

    struct Member: Equatable, Sendable {
        let key: String
        let value: JSONValue
    }

    /// The member named `key` of an object (the last one if repeated); nil for other values.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as an `Int` when it is a number without fraction or exponent that fits.
    var intValue: Int? {
        if case .number(let literal) = self { return Int(literal) }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    var members: [Member]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// A short name of the value's kind, for messages ("expected a string, found a number").
    var kindName: String {
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
