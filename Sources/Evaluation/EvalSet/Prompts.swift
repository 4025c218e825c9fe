/// How the question of an item is turned into the user's text for the model. The image token
/// and the chat template are added by generation, not here (LLaVA's answer files also record
/// the prompt without them).
public enum PromptStyle: String, Codable, CaseIterable, Sendable {
    /// LLaVA-1.5's evaluation prompts (docs/Evaluation.md and the question files of
    /// `scripts/v1_5/eval`): short answers and yes/no questions (VQAv2, GQA, MME, POPE) end
    /// with "Answer the question using a single word or phrase." (MME's own "Please answer yes
    /// or no." is replaced by it, as in LLaVA's `llava_mme.jsonl`); multiple choice lists the
    /// options as "A. ..." and asks for the letter (MMBench, ScienceQA with
    /// `--single-pred-prompt`).
    case llava15
    /// The benchmarks' own wording: yes/no questions as the item stores them (POPE's question as
    /// is; the MME converter keeps MME's "Please answer yes or no."); the rest as `llava15`.
    case benchmark
}

public enum Prompts {
    public static let shortAnswerInstruction = "Answer the question using a single word or phrase."
    public static let choiceInstruction = "Answer with the option's letter from the given choices directly."
    /// MME's instruction, which its questions end with.
    public static let yesNoInstruction = "Please answer yes or no."

    /// The text to put after the image for `item`.
    ///
    ///     Prompts.text(for: choiceItem)
    ///     // "Which animal is shown?\nA. cat\nB. dog\nAnswer with the option's letter from the given choices directly."
    public static func text(for item: EvalItem, style: PromptStyle = .llava15) -> String {
        switch item.type {
        case .yesno:
            switch style {
            case .benchmark:
                return item.question
            case .llava15:
                return withoutYesNoInstruction(item.question) + "\n" + shortAnswerInstruction
            }
        case .short:
            return item.question + "\n" + shortAnswerInstruction
        case .choice:
            var lines = [item.question]
            for (index, choice) in (item.choices ?? []).enumerated() {
                lines.append("\(ScienceQA.letters[index]). \(choice)")
            }
            lines.append(choiceInstruction)
            return lines.joined(separator: "\n")
        case .caption, .ground:
            return item.question
        }
    }

    /// The question without a trailing "Please answer yes or no." (MME separates it with one or
    /// two spaces).
    static func withoutYesNoInstruction(_ question: String) -> String {
        var text = Substring(question)
        while text.last?.isWhitespace == true { text = text.dropLast() }
        guard text.hasSuffix(yesNoInstruction) else { return question }
        text = text.dropLast(yesNoInstruction.count)
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }

    /// MME's question form: the question ending with " Please answer yes or no." (appended
    /// when absent, as LLaVA's `convert_answer_to_mme.py` does).
    static func withYesNoInstruction(_ question: String) -> String {
        question.contains(yesNoInstruction) ? question : question + " " + yesNoInstruction
    }
}
