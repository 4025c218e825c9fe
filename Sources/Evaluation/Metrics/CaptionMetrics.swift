/// Caption scoring: BLEU-1..4 and CIDEr-D over tokenised captions (see `CaptionTokenizer`).
public enum Captioning {
    public static func score(answers: [String], references: [[String]]) -> CaptionMetrics {
        precondition(answers.count == references.count, "\(answers.count) answers for \(references.count) reference lists")
        let candidates = answers.map(CaptionTokenizer.tokenize)
        let tokenized = references.map { $0.map(CaptionTokenizer.tokenize) }
        guard !candidates.isEmpty else { return CaptionMetrics(count: 0, bleu: [0, 0, 0, 0], cider: 0) }
        return CaptionMetrics(count: answers.count,
                              bleu: BLEU.score(candidates: candidates, references: tokenized),
                              cider: CIDErD.score(candidates: candidates, references: tokenized).score)
    }
}

/// Caption results, as pycocoevalcap reports them (CIDEr-D not multiplied by 100).
public struct CaptionMetrics: Codable, Equatable, Sendable {
    public var count: Int
    /// BLEU-1, BLEU-2, BLEU-3, BLEU-4.
    public var bleu: [Double]
    public var cider: Double
}
