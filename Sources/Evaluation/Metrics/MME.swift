/// MME scoring as its official `eval_tool/calculation.py` does it: per subtask the accuracy
/// over questions (acc), the fraction of images whose questions are all answered correctly
/// (acc+), and score = 100 acc + 100 acc+; perception and cognition are the sums of their
/// subtasks' scores.
public enum MME {
    /// What `calculation.py`'s `parse_pred_ans` makes of an answer.
    public enum Answer: String, Codable, Sendable {
        case yes, no, other
    }

    /// The subtasks summed into the perception score, in `calculation.py`'s order.
    public static let perceptionSubtasks = ["existence", "count", "position", "color", "posters", "celebrity",
                                            "scene", "landmark", "artwork", "OCR"]
    /// The subtasks summed into the cognition score.
    public static let cognitionSubtasks = ["commonsense_reasoning", "numerical_calculation", "text_translation",
                                           "code_reasoning"]

    /// `parse_pred_ans` on the lower-cased answer: exactly "yes" or "no"; otherwise "yes" within
    /// the first four characters means yes, else "no" there means no, else other (counted wrong).
    ///
    ///     MME.parse("Yes, there is.")   // .yes
    ///     MME.parse("There is no cat")  // .other ("ther" holds neither)
    public static func parse(_ answer: String) -> Answer {
        let text = PythonText.lower(PythonText.scalars(answer))
        if text == ["y", "e", "s"] { return .yes }
        if text == ["n", "o"] { return .no }
        let prefix = Array(text.prefix(4))
        if PythonText.contains(prefix, ["y", "e", "s"]) { return .yes }
        if PythonText.contains(prefix, ["n", "o"]) { return .no }
        return .other
    }

    /// The scores of one subtask. `images[i]` names the image of question i: questions about
    /// the same image make one acc+ unit (`calculation.py` takes consecutive pairs of lines,
    /// which are the two questions of an image in MME's files).
    public static func score(answers: [String], labels: [Bool], images: [String]) -> SubtaskScore {
        precondition(answers.count == labels.count && answers.count == images.count, "answers, labels and images differ in count")
        var correct = 0, other = 0
        var imageOrder: [String] = []
        var imageAllCorrect: [String: Bool] = [:]
        for (index, answer) in answers.enumerated() {
            let parsed = parse(answer)
            let right = parsed == (labels[index] ? .yes : .no)
            if right { correct += 1 }
            if parsed == .other { other += 1 }
            let image = images[index]
            if let previous = imageAllCorrect[image] {
                imageAllCorrect[image] = previous && right
            } else {
                imageOrder.append(image)
                imageAllCorrect[image] = right
            }
        }
        let imagesAllCorrect = imageOrder.filter { imageAllCorrect[$0]! }.count
        return SubtaskScore(questions: answers.count, images: imageOrder.count, correct: correct,
                            imagesAllCorrect: imagesAllCorrect, other: other)
    }

    /// The perception and cognition totals over the subtasks present (nil when none of the
    /// list is), summed in `calculation.py`'s order.
    public static func totals(_ subtasks: [String: SubtaskScore]) -> (perception: Double?, cognition: Double?) {
        func total(_ names: [String]) -> Double? {
            let present = names.compactMap { subtasks[$0] }
            return present.isEmpty ? nil : present.reduce(0) { $0 + $1.score }
        }
        return (total(perceptionSubtasks), total(cognitionSubtasks))
    }

    /// One subtask's result.
    public struct SubtaskScore: Codable, Equatable, Sendable {
        public var questions: Int
        public var images: Int
        public var correct: Int
        public var imagesAllCorrect: Int
        /// Answers that were neither yes nor no.
        public var other: Int
        /// correct / questions.
        public var acc: Double
        /// imagesAllCorrect / images.
        public var accPlus: Double
        /// 100 acc + 100 acc+ (0 to 200).
        public var score: Double

        enum CodingKeys: String, CodingKey {
            case questions, images, correct, other, acc, score
            case imagesAllCorrect = "images_all_correct", accPlus = "acc_plus"
        }

        public init(questions: Int, images: Int, correct: Int, imagesAllCorrect: Int, other: Int) {
            self.questions = questions
            self.images = images
            self.correct = correct
            self.imagesAllCorrect = imagesAllCorrect
            self.other = other
            acc = questions > 0 ? Double(correct) / Double(questions) : 0
            accPlus = images > 0 ? Double(imagesAllCorrect) / Double(images) : 0
            score = acc * 100 + accPlus * 100
        }
    }
}
