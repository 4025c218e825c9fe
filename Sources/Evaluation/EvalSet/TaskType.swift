/// The kinds of eval items (DESIGN.md section 5); each has its own prompt and scoring.
public enum TaskType: String, Codable, CaseIterable, Sendable, Comparable {
    /// Yes/no questions, scored as POPE and as MME.
    case yesno
    /// Multiple choice, scored with LLaVA's ScienceQA parser.
    case choice
    /// Short answers, scored with VQA answer normalisation and accuracy.
    case short
    /// Captions, scored with BLEU-1..4 and CIDEr-D.
    case caption
    /// Referring expressions answered with a box, scored by IoU >= 0.5.
    case ground

    public static func < (lhs: TaskType, rhs: TaskType) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
