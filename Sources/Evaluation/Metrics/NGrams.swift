/// Counts of the 1- to n-grams of a token sequence, one table per length (index 0 holds the
/// unigrams), as pycocoevalcap's `precook` makes them for BLEU and CIDEr. (Swift compares
/// strings up to canonical equivalence, so "é" written precomposed and decomposed is one word
/// here and two in Python; captions mixing both forms are the only place this shows.)
struct NGramCounts {
    var orders: [[String: Int]]

    init(_ tokens: [String], maxOrder: Int) {
        orders = (1...maxOrder).map { length in
            var counts: [String: Int] = [:]
            if tokens.count >= length {
                for start in 0...(tokens.count - length) {
                    // Tokens hold no whitespace, so a space-joined key is unambiguous.
                    counts[tokens[start..<(start + length)].joined(separator: " "), default: 0] += 1
                }
            }
            return counts
        }
    }
}
