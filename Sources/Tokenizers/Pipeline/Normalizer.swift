import Foundation

/// tokenizer.json `normalizer`: rewrites each text segment between added tokens before
/// pre-tokenization. Only the components real LLM checkpoints use are implemented.
indirect enum Normalizer {
    case sequence([Normalizer])
    /// Prepends a string to non-empty text (Llama 2 legacy: "▁").
    case prepend([Unicode.Scalar])
    /// Replaces every match of a literal or regex with `content` (Llama 2: " " -> "▁").
    case replace(TextPattern, content: [Unicode.Scalar])
    case nfc, nfd, nfkc, nfkd
    /// Lowercases scalar by scalar with full (not context-sensitive) mappings, like Rust's
    /// `char::to_lowercase`: "Σ" is always "σ", "İ" becomes "i̇".
    case lowercase
    /// Removes leading and/or trailing White_Space.
    case strip(left: Bool, right: Bool)

    func apply(to piece: inout TextPiece) {
        switch self {
        case .sequence(let normalizers):
            for normalizer in normalizers { normalizer.apply(to: &piece) }
        case .prepend(let prefix):
            if !piece.scalars.isEmpty { piece.scalars.insert(contentsOf: prefix, at: 0) }
        case .replace(let pattern, let content):
            piece.scalars = pattern.replacingMatches(in: piece.scalars, with: content)
        case .nfc:
            piece.scalars = Self.unicodeNormalized(piece.scalars) { $0.precomposedStringWithCanonicalMapping }
        case .nfd:
            piece.scalars = Self.unicodeNormalized(piece.scalars) { $0.decomposedStringWithCanonicalMapping }
        case .nfkc:
            piece.scalars = Self.unicodeNormalized(piece.scalars) { $0.precomposedStringWithCompatibilityMapping }
        case .nfkd:
            piece.scalars = Self.unicodeNormalized(piece.scalars) { $0.decomposedStringWithCompatibilityMapping }
        case .lowercase:
            var lowered = [Unicode.Scalar]()
            lowered.reserveCapacity(piece.scalars.count)
            for scalar in piece.scalars {
                if scalar.isASCII {
                    lowered.append(scalar.value >= 65 && scalar.value <= 90 ? Unicode.Scalar(scalar.value + 32)! : scalar)
                } else {
                    lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            }
            piece.scalars = lowered
        case .strip(let left, let right):
            var start = 0, end = piece.scalars.count
            if left { while start < end, CharacterClass.isWhitespace(piece.scalars[start]) { start += 1 } }
            if right { while end > start, CharacterClass.isWhitespace(piece.scalars[end - 1]) { end -= 1 } }
            if start > 0 { piece.startsAtOrigin = false }
            if start > 0 || end < piece.scalars.count { piece.scalars = Array(piece.scalars[start ..< end]) }
        }
    }

    /// Normalizes through Foundation; pure-ASCII text is already in every normal form.
    private static func unicodeNormalized(_ scalars: [Unicode.Scalar], _ transform: (String) -> String) -> [Unicode.Scalar] {
        if scalars.allSatisfy({ $0.isASCII }) { return scalars }
        return [Unicode.Scalar](transform(scalars.string))
    }
}
