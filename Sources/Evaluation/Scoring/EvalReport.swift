import Foundation

/// What an evaluation run found: `report.json` is this value encoded.
///
/// Rates (accuracy, precision, ...) are fractions in 0-1; MME scores are MME's points (0-200
/// per subtask); CIDEr-D is pycocoevalcap's value (not times 100). A section is nil when the
/// set had no answered item of that type.
public struct EvalReport: Codable, Equatable, Sendable {
    public var model: String?
    public var promptStyle: PromptStyle?
    public var counts: Counts
    public var yesno: YesNoReport?
    public var choice: Grouped<ChoiceMetrics>?
    public var short: Grouped<ShortAnswerMetrics>?
    public var caption: Grouped<CaptionMetrics>?
    public var ground: Grouped<GroundingMetrics>?

    enum CodingKeys: String, CodingKey {
        case model, counts, yesno, choice, short, caption, ground
        case promptStyle = "prompt_style"
    }

    public struct Counts: Codable, Equatable, Sendable {
        /// Items of the set that passed validation.
        public var items: Int
        /// Items with an answer; the metrics are over these.
        public var answered: Int
        /// Items without an answer (an interrupted run): left out of the metrics.
        public var unanswered: Int
        /// Items per task type.
        public var byType: [String: Int]
        /// Lines of the eval set left out, per reason.
        public var skipped: [String: Int]

        enum CodingKeys: String, CodingKey {
            case items, answered, unanswered, skipped
            case byType = "by_type"
        }
    }

    /// Reads a `report.json`.
    public static func load(contentsOf url: URL) throws -> EvalReport {
        let bytes = try readBytes(url)
        do {
            return try ReportJSON.decoder.decode(EvalReport.self, from: Data(bytes))
        } catch {
            throw EvaluationError.invalidFormat(path: url.path, reason: "\(error)")
        }
    }
}

/// Metrics over all items of a type and over the items of each group.
public struct Grouped<Metrics: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    public var overall: Metrics
    /// By the items' `group`; items without one count only in `overall`.
    public var groups: [String: Metrics]
}

/// Yes/no results, scored both ways the public scripts do.
public struct YesNoReport: Codable, Equatable, Sendable {
    /// POPE's metrics (answers parsed by `eval_pope.py`'s rule), overall and per group.
    public var pope: Grouped<BinaryMetrics>
    /// MME's scores (answers parsed by `calculation.py`'s rule) per group taken as a subtask
    /// (items without a group under "all"), with MME's totals over its standard subtasks.
    public var mme: MMEReport
}

public struct MMEReport: Codable, Equatable, Sendable {
    public var subtasks: [String: MME.SubtaskScore]
    /// Sum of the perception subtasks' scores; nil when none is present.
    public var perception: Double?
    /// Sum of the cognition subtasks' scores; nil when none is present.
    public var cognition: Double?
}

/// The JSON settings of report files: pretty, keys sorted, and a NaN or infinity (which no
/// metric should produce) written as a string rather than failing the whole report.
enum ReportJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
