/// Why a line of an eval set (or of a benchmark file being converted) was left out. The raw
/// values are the keys of the `skipped` counts in `report.json`.
public enum SkipReason: String, Codable, CaseIterable, Sendable {
    /// The line is not valid JSON.
    case malformedJSON = "malformed_json"
    /// The line is JSON but not an object.
    case notAnObject = "not_an_object"
    case missingID = "missing_id"
    case missingQuestion = "missing_question"
    case missingAnswer = "missing_answer"
    case missingType = "missing_type"
    /// A field of the wrong JSON kind (a number where a string belongs, ...).
    case invalidField = "invalid_field"
    /// `type` is not one of yesno, choice, short, caption, ground.
    case unknownType = "unknown_type"
    /// A `choice` item without at least two choices.
    case missingChoices = "missing_choices"
    /// A `choice` item whose answer is not the text of one of its choices.
    case answerNotInChoices = "answer_not_in_choices"
    /// A `yesno` item whose answer is neither yes nor no.
    case answerNotYesNo = "answer_not_yes_no"
    /// A `ground` item whose answer holds no box `[x1, y1, x2, y2]` within 0-1.
    case answerHasNoBox = "answer_has_no_box"
    /// An image the item names is not on disk.
    case imageNotFound = "image_not_found"
    /// A second item with an id seen before.
    case duplicateID = "duplicate_id"
    /// A benchmark file line that does not have the benchmark's format.
    case malformedLine = "malformed_line"
}

/// One item left out of an eval set or a conversion, with where and why.
public struct SkippedItem: Equatable, Sendable, CustomStringConvertible {
    /// The file the item came from.
    public let source: String
    /// 1-based line number in `source`; 0 when the source is not line-based.
    public let line: Int
    /// The item's id when it could be read.
    public let id: String?
    public let reason: SkipReason
    /// What exactly was wrong, for a person to fix it.
    public let detail: String

    public var description: String {
        var place = source
        if line > 0 { place += ":\(line)" }
        if let id { place += " (id \(id))" }
        return "\(place): \(reason.rawValue): \(detail)"
    }
}

extension Array where Element == SkippedItem {
    /// How many items were left out for each reason, as `report.json` lists them.
    public var countsByReason: [String: Int] {
        reduce(into: [:]) { $0[$1.reason.rawValue, default: 0] += 1 }
    }
}
