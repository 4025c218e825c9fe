/// One entry of tokenizer.json `added_tokens`.
public struct AddedToken: Sendable, Equatable {
    public let id: Int32
    public let content: String
    /// Matches only as a whole word (no word character directly before or after).
    public let singleWord: Bool
    /// Swallows the whitespace before it.
    public let leftStrip: Bool
    /// Swallows the whitespace after it.
    public let rightStrip: Bool
    /// Matched against normalized text (and decoded as its normalized form) instead of raw text.
    public let normalized: Bool
    /// Special tokens are the ones `skipSpecialTokens` leaves out when decoding.
    public let special: Bool
}

/// Splits text on added tokens before anything else happens, as HF's `AddedVocabulary` does:
/// first the non-normalized tokens on the raw text, then (after each remaining segment is
/// normalized) the normalized tokens on the normalized text. At each position the longest
/// token wins (leftmost-longest).
struct AddedVocabulary {
    enum Segment {
        case text(TextPiece)
        case token(Int32)
    }

    let tokens: [AddedToken]
    private let rawMatcher: TokenTrie
    private let normalizedMatcher: TokenTrie
    /// The token text decode uses: the normalized form for normalized tokens (an HF quirk).
    let decodedContent: [Int32: String]

    init(tokens: [AddedToken], normalizer: Normalizer?) {
        self.tokens = tokens
        var raw = TokenTrie(), normalized = TokenTrie()
        var decoded: [Int32: String] = [:]
        for token in tokens where !token.content.isEmpty {
            var pattern = [Unicode.Scalar](token.content)
            if token.normalized, let normalizer {
                var piece = TextPiece(scalars: pattern, startsAtOrigin: true)
                normalizer.apply(to: &piece)
                pattern = piece.scalars
            }
            decoded[token.id] = pattern.string
            if token.normalized {
                normalized.insert(pattern, token: token)
            } else {
                raw.insert(pattern, token: token)
            }
        }
        rawMatcher = raw
        normalizedMatcher = normalized
        decodedContent = decoded
    }

    /// The text cut into added-token ids and normalized text pieces (empty pieces dropped).
    func split(_ text: [Unicode.Scalar], normalizer: Normalizer?) -> [Segment] {
        var result: [Segment] = []
        for (segment, start) in rawMatcher.split(text) {
            switch segment {
            case .token:
                result.append(segment)
            case .text(var piece):
                piece.startsAtOrigin = start == 0
                normalizer?.apply(to: &piece)
                if piece.scalars.isEmpty { continue }
                for (inner, innerStart) in normalizedMatcher.split(piece.scalars) {
                    if case .text(var innerPiece) = inner {
                        innerPiece.startsAtOrigin = piece.startsAtOrigin && innerStart == 0
                        result.append(.text(innerPiece))
                    } else {
                        result.append(inner)
                    }
                }
            }
        }
        return result
    }
}

/// A trie of added-token patterns with HF's matching rules (leftmost-longest, `single_word`,
/// `lstrip`, `rstrip`).
struct TokenTrie {
    private struct Node {
        var children: [Unicode.Scalar: Int] = [:]
        var token: AddedToken?
    }

    private var nodes = [Node()]
    var isEmpty: Bool { nodes.count == 1 }

    mutating func insert(_ pattern: [Unicode.Scalar], token: AddedToken) {
        var node = 0
        for scalar in pattern {
            if let child = nodes[node].children[scalar] {
                node = child
            } else {
                nodes.append(Node())
                nodes[node].children[scalar] = nodes.count - 1
                node = nodes.count - 1
            }
        }
        nodes[node].token = token
    }

    /// The longest pattern starting at `start`, if any.
    private func longestMatch(in text: [Unicode.Scalar], from start: Int) -> (end: Int, token: AddedToken)? {
        var node = 0, best: (Int, AddedToken)? = nil
        var i = start
        while i < text.count, let child = nodes[node].children[text[i]] {
            node = child
            i += 1
            if let token = nodes[node].token { best = (i, token) }
        }
        return best
    }

    /// Segments of `text` with the offset where each starts. Text segments are returned as
    /// pieces (their `startsAtOrigin` is set by the caller).
    func split(_ text: [Unicode.Scalar]) -> [(AddedVocabulary.Segment, Int)] {
        guard !isEmpty else { return text.isEmpty ? [] : [(.text(TextPiece(scalars: text, startsAtOrigin: false)), 0)] }
        var result: [(AddedVocabulary.Segment, Int)] = []
        var segmentStart = 0  // end of the previous token (HF's start_offset)
        var position = 0
        while position < text.count {
            guard let (matchEnd, token) = longestMatch(in: text, from: position) else {
                position += 1
                continue
            }
            var start = position, stop = matchEnd
            // The search resumes after this match even when it is rejected (non-overlapping).
            position = matchEnd
            if token.singleWord {
                let wordBefore = start > 0 && CharacterClass.isWordCharacter(text[start - 1])
                let wordAfter = stop < text.count && CharacterClass.isWordCharacter(text[stop])
                if wordBefore || wordAfter { continue }
            }
            if token.leftStrip {
                while start > segmentStart, CharacterClass.isWhitespace(text[start - 1]) { start -= 1 }
            }
            if token.rightStrip {
                while stop < text.count, CharacterClass.isWhitespace(text[stop]) { stop += 1 }
            }
            // A match inside whitespace an `rstrip` token already took (HF would overlap them).
            start = max(start, segmentStart)
            stop = max(stop, start)
            if segmentStart < start {
                result.append((.text(TextPiece(scalars: Array(text[segmentStart ..< start]), startsAtOrigin: false)), segmentStart))
            }
            result.append((.token(token.id), start))
            segmentStart = stop
        }
        if segmentStart < text.count {
            result.append((.text(TextPiece(scalars: Array(text[segmentStart...]), startsAtOrigin: false)), segmentStart))
        }
        return result
    }
}
