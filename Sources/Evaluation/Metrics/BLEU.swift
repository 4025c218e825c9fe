import Foundation

/// Corpus BLEU as pycocoevalcap's `Bleu(4)` computes it (`bleu_scorer.py`, option "closest").
///
/// Clipped n-gram matches and candidate n-gram counts are summed over the corpus; the
/// reference length of a caption is that of its reference closest in length (the shorter on a
/// tie), summed over the corpus; each precision is smoothed as (matches + 1e-15) /
/// (count + 1e-9), BLEU-n is the geometric mean of the first n, and when the candidates are
/// shorter in total the brevity penalty exp(1 - r/c) multiplies every BLEU-n.
public enum BLEU {
    /// BLEU-1 ... BLEU-`maxOrder` of tokenised `candidates`, each with its reference captions.
    public static func score(candidates: [[String]], references: [[[String]]], maxOrder: Int = 4) -> [Double] {
        precondition(candidates.count == references.count, "\(candidates.count) candidates for \(references.count) reference lists")
        let tiny = 1e-15, small = 1e-9
        var correct = [Int](repeating: 0, count: maxOrder)
        var guesses = [Int](repeating: 0, count: maxOrder)
        var candidateLength = 0, referenceLength = 0
        for (candidate, refs) in zip(candidates, references) {
            precondition(!refs.isEmpty, "a caption without references")
            let counts = NGramCounts(candidate, maxOrder: maxOrder)
            var maxReferenceCounts = [[String: Int]](repeating: [:], count: maxOrder)
            for ref in refs {
                for (order, table) in NGramCounts(ref, maxOrder: maxOrder).orders.enumerated() {
                    maxReferenceCounts[order].merge(table, uniquingKeysWith: max)
                }
            }
            for order in 0..<maxOrder {
                guesses[order] += max(0, candidate.count - order)
                for (gram, count) in counts.orders[order] {
                    correct[order] += min(maxReferenceCounts[order][gram] ?? 0, count)
                }
            }
            candidateLength += candidate.count
            referenceLength += closestLength(refs.map(\.count), to: candidate.count)
        }
        var bleus: [Double] = []
        var product = 1.0
        for order in 0..<maxOrder {
            product *= (Double(correct[order]) + tiny) / (Double(guesses[order]) + small)
            bleus.append(pow(product, 1.0 / Double(order + 1)))
        }
        let ratio = (Double(candidateLength) + tiny) / (Double(referenceLength) + small)
        if ratio < 1 {
            let penalty = exp(1 - 1 / ratio)
            bleus = bleus.map { $0 * penalty }
        }
        return bleus
    }

    /// `min((abs(l - c), l) for l in lengths)[1]`: the closest length, the shorter on a tie.
    static func closestLength(_ lengths: [Int], to candidate: Int) -> Int {
        lengths.min { (abs($0 - candidate), $0) < (abs($1 - candidate), $1) }!
    }
}
