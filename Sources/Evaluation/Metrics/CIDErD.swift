import Foundation

/// CIDEr-D as pycocoevalcap's `Cider` class computes it (`cider_scorer.py`; despite its name
/// the class is CIDEr-D: clipped n-gram weights and a Gaussian length penalty).
///
/// For n = 1...4, captions become TF-IDF vectors of their n-grams, the document frequencies
/// counted over the reference sets of the captions evaluated together (so a score depends on
/// the set it is computed over); a candidate's similarity to each reference is
/// sum(min(c, r) * r) / (|c| |r|) times exp(-delta^2 / (2 sigma^2)), delta being the difference
/// in length; the four similarities are averaged, then averaged over the references, and
/// multiplied by 10. The corpus score is the mean over captions.
public enum CIDErD {
    public struct Result: Equatable, Sendable {
        public var score: Double
        public var perCaption: [Double]
    }

    public static func score(candidates: [[String]], references: [[[String]]], maxOrder: Int = 4,
                             sigma: Double = 6) -> Result {
        precondition(candidates.count == references.count, "\(candidates.count) candidates for \(references.count) reference lists")
        guard !candidates.isEmpty else { return Result(score: 0, perCaption: []) }
        let referenceCounts = references.map { refs in refs.map { NGramCounts($0, maxOrder: maxOrder) } }
        var documentFrequency: [String: Double] = [:]
        for refs in referenceCounts {
            var seen = Set<String>()
            for counts in refs {
                for table in counts.orders { seen.formUnion(table.keys) }
            }
            for gram in seen { documentFrequency[gram, default: 0] += 1 }
        }
        let logDocuments = log(Double(references.count))

        func vector(_ counts: NGramCounts) -> TFIDF {
            var weights = [[String: Double]](repeating: [:], count: maxOrder)
            var norms = [Double](repeating: 0, count: maxOrder)
            for (order, table) in counts.orders.enumerated() {
                for (gram, termFrequency) in table {
                    let idf = logDocuments - log(max(1.0, documentFrequency[gram] ?? 0))
                    let weight = Double(termFrequency) * idf
                    weights[order][gram] = weight
                    norms[order] += weight * weight
                }
            }
            // cider_scorer.py counts the length where the n-gram index is 1: the bigrams.
            let length = counts.orders.count > 1 ? counts.orders[1].values.reduce(0, +) : 0
            return TFIDF(weights: weights, norms: norms.map { $0.squareRoot() }, length: length)
        }

        var perCaption: [Double] = []
        perCaption.reserveCapacity(candidates.count)
        for (candidate, refs) in zip(candidates, referenceCounts) {
            let hypothesis = vector(NGramCounts(candidate, maxOrder: maxOrder))
            var sums = [Double](repeating: 0, count: maxOrder)
            for ref in refs {
                let reference = vector(ref)
                let delta = Double(hypothesis.length - reference.length)
                let penalty = pow(M_E, -(delta * delta) / (2 * sigma * sigma))
                for order in 0..<maxOrder {
                    var value = 0.0
                    for (gram, weight) in hypothesis.weights[order] {
                        let referenceWeight = reference.weights[order][gram] ?? 0
                        value += min(weight, referenceWeight) * referenceWeight
                    }
                    if hypothesis.norms[order] != 0, reference.norms[order] != 0 {
                        value /= hypothesis.norms[order] * reference.norms[order]
                    }
                    sums[order] += value * penalty
                }
            }
            let mean = sums.reduce(0, +) / Double(maxOrder)
            perCaption.append(mean / Double(refs.count) * 10)
        }
        return Result(score: perCaption.reduce(0, +) / Double(perCaption.count), perCaption: perCaption)
    }

    private struct TFIDF {
        var weights: [[String: Double]]
        var norms: [Double]
        var length: Int
    }
}
