import Foundation

/// One question of an eval set, a line of its JSONL file:
///
///     {"id":"pope/adversarial/1","image":"COCO_val2014_000000310196.jpg",
///      "question":"Is there a snowboard in the image?","answer":"yes","type":"yesno","group":"adversarial"}
///
/// `answer` is one string, or for `short` and `caption` items a list of references (VQA's ten
/// human answers, COCO's five captions). A `choice` item's answer is the text of the correct
/// choice. A `ground` item's answer holds the reference box as `[x1, y1, x2, y2]`, normalised
/// to 0-1 as LLaVA-1.5 prints boxes (see `Box`).
public struct EvalItem: Equatable, Sendable, Encodable {
    public var id: String
    /// Image paths, relative to the eval set's image folder (or absolute); `image` and `images`
    /// of the JSONL, in that order.
    public var images: [String]
    public var question: String
    /// The reference answers; never empty.
    public var answers: [String]
    public var type: TaskType
    public var choices: [String]?
    /// A category to report separately: a POPE split, an MME subtask, a ScienceQA context...
    public var group: String?

    public init(id: String, images: [String] = [], question: String, answers: [String], type: TaskType,
                choices: [String]? = nil, group: String? = nil) {
        self.id = id
        self.images = images
        self.question = question
        self.answers = answers
        self.type = type
        self.choices = choices
        self.group = group
    }

    /// The first (for most types the only) reference answer.
    public var answer: String { answers[0] }

    /// For `yesno` items: whether the reference answer is yes.
    public var expectsYes: Bool { answer.trimmingCharacters(in: .whitespaces).lowercased() == "yes" }

    /// For `choice` items: the index of the correct choice.
    public var answerIndex: Int? { choices?.firstIndex(of: answer) }

    /// For `ground` items: the reference box.
    public var referenceBox: Box? { Box.firstBox(in: answer) }

    private enum CodingKeys: String, CodingKey {
        case id, image, images, question, answer, type, choices, group
    }

    /// The eval JSONL form: `image` for one image and `images` for several; `answer` a string
    /// for one reference and a list for several.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        if images.count == 1 {
            try container.encode(images[0], forKey: .image)
        } else if images.count > 1 {
            try container.encode(images, forKey: .images)
        }
        try container.encode(question, forKey: .question)
        if answers.count == 1 {
            try container.encode(answers[0], forKey: .answer)
        } else {
            try container.encode(answers, forKey: .answer)
        }
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(choices, forKey: .choices)
        try container.encodeIfPresent(group, forKey: .group)
    }

    /// The item as one JSONL line (keys sorted, so files are stable), without the newline.
    public func jsonLine() throws -> String {
        String(decoding: try JSONLines.encoder.encode(self), as: UTF8.self)
    }
}
