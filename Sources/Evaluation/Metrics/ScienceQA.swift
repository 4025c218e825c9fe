/// Multiple-choice answer parsing as LLaVA's `llava/eval/eval_science_qa.py` does it.
public enum ScienceQA {
    /// Option letters. The script's options are A-E (ScienceQA has at most five choices);
    /// items with more choices use the following letters.
    public static let letters: [Character] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// What the parser made of an answer.
    public enum Parsed: Equatable, Sendable {
        /// A letter was read; `index` is its choice, nil when the item has fewer choices
        /// (`get_pred_idx` returns -1: counted wrong).
        case letter(Character, index: Int?)
        /// No letter could be read ("FAILED" in the script): counted wrong, reported apart.
        case failed
    }

    /// `eval_science_qa.py`'s parse: the whole answer is an option letter; or it starts with a
    /// letter followed by ". "; or "The answer is X." occurs exactly once (any capital X, any
    /// character after it but a newline). Anything else, "b" included, fails.
    ///
    ///     ScienceQA.parse("B. a dog", choiceCount: 3)             // .letter("B", index: 1)
    ///     ScienceQA.parse("The answer is C.", choiceCount: 2)     // .letter("C", index: nil)
    ///     ScienceQA.parse("b", choiceCount: 3)                    // .failed
    public static func parse(_ answer: String, choiceCount: Int) -> Parsed {
        let options = Array(letters.prefix(max(5, choiceCount))).map { Unicode.Scalar(String($0))! }
        let text = PythonText.scalars(answer)
        let letter: Unicode.Scalar
        if text.count == 1, options.contains(text[0]) {
            letter = text[0]
        } else if text.count >= 3, options.contains(text[0]), text[1] == ".", text[2] == " " {
            letter = text[0]
        } else {
            let found = answerIsMatches(text)
            guard found.count == 1 else { return .failed }
            letter = found[0]
        }
        let index = options.prefix(choiceCount).firstIndex(of: letter)
        return .letter(Character(letter), index: index)
    }

    /// The letters of `re.findall(r'The answer is ([A-Z]).', text)`: non-overlapping matches
    /// left to right, where `.` is any character but a newline.
    static func answerIsMatches(_ text: Scalars) -> [Unicode.Scalar] {
        let phrase = PythonText.scalars("The answer is ")
        var found: [Unicode.Scalar] = []
        var start = 0
        while let at = PythonText.find(text, phrase, from: start) {
            let letterAt = at + phrase.count
            if letterAt + 1 < text.count, ("A"..."Z").contains(text[letterAt]), text[letterAt + 1] != "\n" {
                found.append(text[letterAt])
                start = letterAt + 2
            } else {
                start = at + 1
            }
        }
        return found
    }

    /// Accuracy over answers to items with `choiceCounts[i]` choices, the right one at
    /// `answerIndices[i]`.
    public static func score(answers: [String], answerIndices: [Int], choiceCounts: [Int]) -> ChoiceMetrics {
        precondition(answers.count == answerIndices.count && answers.count == choiceCounts.count, "counts differ")
        var correct = 0, failed = 0
        for (index, answer) in answers.enumerated() {
            switch parse(answer, choiceCount: choiceCounts[index]) {
            case .failed: failed += 1
            case .letter(_, let predicted): if predicted == answerIndices[index] { correct += 1 }
            }
        }
        return ChoiceMetrics(count: answers.count, correct: correct, failed: failed)
    }
}

/// Multiple-choice results.
public struct ChoiceMetrics: Codable, Equatable, Sendable {
    public var count: Int
    public var correct: Int
    /// Answers from which no letter could be read (counted wrong).
    public var failed: Int
    /// correct / count.
    public var accuracy: Double

    public init(count: Int, correct: Int, failed: Int) {
        self.count = count
        self.correct = correct
        self.failed = failed
        accuracy = count > 0 ? Double(correct) / Double(count) : 0
    }
}
