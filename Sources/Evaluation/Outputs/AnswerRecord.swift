import Foundation

/// One line of `answers.jsonl`: the fields of LLaVA's answer files (`model_vqa_loader.py`), so
/// LLaVA's own scoring scripts can read them, plus vlmtune's `type` and `reference`.
///
///     {"answer_id":"9f2c41d07a3e85b6","metadata":{"group":"adversarial"},"model_id":"step-0001000",
///      "prompt":"Is there a snowboard in the image?\nAnswer the question using a single word or phrase.",
///      "question_id":"adversarial/1","reference":"yes","text":"No","type":"yesno"}
public struct AnswerRecord: Codable, Equatable, Sendable {
    public var questionID: String
    /// The text given to the model, without image token and chat template.
    public var prompt: String
    /// The model's answer.
    public var text: String
    /// A stable id of this answer (LLaVA uses a random short UUID; a hash keeps files
    /// reproducible).
    public var answerID: String
    public var modelID: String
    /// The item's group, and any extra notes.
    public var metadata: [String: String]
    public var type: TaskType
    /// The reference answers (one string in the file when there is one).
    public var reference: [String]

    enum CodingKeys: String, CodingKey {
        case prompt, text, metadata, type, reference
        case questionID = "question_id", answerID = "answer_id", modelID = "model_id"
    }

    public init(item: EvalItem, prompt: String, text: String, modelID: String) {
        questionID = item.id
        self.prompt = prompt
        self.text = text
        answerID = AnswerRecord.stableID(modelID, item.id, text)
        self.modelID = modelID
        metadata = item.group.map { ["group": $0] } ?? [:]
        type = item.type
        reference = item.answers
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        questionID = try container.decode(String.self, forKey: .questionID)
        prompt = try container.decode(String.self, forKey: .prompt)
        text = try container.decode(String.self, forKey: .text)
        answerID = try container.decode(String.self, forKey: .answerID)
        modelID = try container.decode(String.self, forKey: .modelID)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        type = try container.decode(TaskType.self, forKey: .type)
        if let one = try? container.decode(String.self, forKey: .reference) {
            reference = [one]
        } else {
            reference = try container.decode([String].self, forKey: .reference)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(questionID, forKey: .questionID)
        try container.encode(prompt, forKey: .prompt)
        try container.encode(text, forKey: .text)
        try container.encode(answerID, forKey: .answerID)
        try container.encode(modelID, forKey: .modelID)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(type, forKey: .type)
        if reference.count == 1 {
            try container.encode(reference[0], forKey: .reference)
        } else {
            try container.encode(reference, forKey: .reference)
        }
    }

    /// 16 hex digits of the FNV-1a hash of the parts.
    static func stableID(_ parts: String...) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: "\u{0}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

public enum AnswersFile {
    /// The records of the answered items, in the set's order.
    public static func records(for set: EvalSet, answers: [String: String], modelID: String,
                               style: PromptStyle = .llava15) -> [AnswerRecord] {
        set.items.compactMap { item in
            answers[item.id].map { AnswerRecord(item: item, prompt: Prompts.text(for: item, style: style), text: $0, modelID: modelID) }
        }
    }

    public static func write(_ records: [AnswerRecord], to url: URL) throws {
        do {
            try JSONLines.write(records, to: url)
        } catch {
            throw EvaluationError.unwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Reads an `answers.jsonl`; a line that is not a record is an error naming the line.
    public static func read(contentsOf url: URL) throws -> [AnswerRecord] {
        let decoder = JSONDecoder()
        return try TextLines.nonBlankLines(of: try readBytes(url)).map { number, line in
            do {
                return try decoder.decode(AnswerRecord.self, from: Data(line))
            } catch {
                throw EvaluationError.invalidFormat(path: "\(url.path):\(number)", reason: "not an answer record: \(error)")
            }
        }
    }
}
