/// A run of text moving through the pipeline (normalizers, then pre-tokenizers, then the
/// model), as Unicode scalars.
struct TextPiece {
    var scalars: [Unicode.Scalar]
    /// Whether the piece's first scalar comes from offset 0 of the original input: HF's
    /// `offsets_original().0 == 0`, which `Metaspace` with `prepend_scheme: "first"` tests.
    var startsAtOrigin: Bool
}

/// How `Split`-like pre-tokenizers treat the matched delimiters (HF `SplitDelimiterBehavior`).
enum SplitBehavior: String {
    case removed, isolated, mergedWithPrevious, mergedWithNext, contiguous

    /// Accepts the serialized names ("Isolated", "MergedWithPrevious") and Python's
    /// ("isolated", "merged_with_previous").
    init?(serialized: String) {
        let key = serialized.replacingOccurrences(of: "_", with: "").lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == key }) else { return nil }
        self = match
    }

    static let allCases: [SplitBehavior] = [.removed, .isolated, .mergedWithPrevious, .mergedWithNext, .contiguous]
}

/// What a delimiter is: a literal string, a regular expression, or a test on single scalars.
enum TextPattern {
    /// A literal string (what `regex::escape` makes of a `"String"` pattern). An empty
    /// literal matches nothing.
    case literal([Unicode.Scalar])
    case regex(SplitRegex)
    case scalar((Unicode.Scalar) -> Bool)

    /// HF `Pattern::find_matches`: consecutive (range, isMatch) segments covering `text`.
    /// Empty input gives one empty non-match.
    func segments(in text: [Unicode.Scalar]) -> [(range: Range<Int>, isMatch: Bool)] {
        if text.isEmpty { return [(0 ..< 0, false)] }
        var result: [(range: Range<Int>, isMatch: Bool)] = []
        switch self {
        case .literal, .regex:
            var previous = 0
            for match in matches(in: text) {
                if previous != match.lowerBound { result.append((previous ..< match.lowerBound, false)) }
                result.append((match, true))
                previous = match.upperBound
            }
            if previous != text.count { result.append((previous ..< text.count, false)) }
        case .scalar(let test):
            var lastEnd = 0
            for (index, scalar) in text.enumerated() where test(scalar) {
                if lastEnd < index { result.append((lastEnd ..< index, false)) }
                result.append((index ..< index + 1, true))
                lastEnd = index + 1
            }
            if lastEnd < text.count { result.append((lastEnd ..< text.count, false)) }
        }
        return result
    }

    /// The leftmost non-overlapping matches of a literal or regex pattern.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .regex(let regex):
            return regex.matches(in: text)
        case .literal(let needle):
            guard !needle.isEmpty, needle.count <= text.count else { return [] }
            var result: [Range<Int>] = []
            var i = 0
            let first = needle[0]
            while i + needle.count <= text.count {
                if text[i] == first, needle.count == 1 || text[i + 1 ..< i + needle.count].elementsEqual(needle[1...]) {
                    result.append(i ..< i + needle.count)
                    i += needle.count
                } else {
                    i += 1
                }
            }
            return result
        case .scalar(let test):
            return text.indices.filter { test(text[$0]) }.map { $0 ..< $0 + 1 }
        }
    }

    /// Every match replaced by `content` (HF `NormalizedString::replace`, the `Replace`
    /// normalizer and decoder).
    func replacingMatches(in text: [Unicode.Scalar], with content: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let found = matches(in: text)
        guard !found.isEmpty else { return text }
        var result = [Unicode.Scalar]()
        result.reserveCapacity(text.count)
        var previous = 0
        for match in found {
            result.append(contentsOf: text[previous ..< match.lowerBound])
            result.append(contentsOf: content)
            previous = match.upperBound
        }
        result.append(contentsOf: text[previous...])
        return result
    }
}

extension TextPiece {
    /// HF `NormalizedString::split`: cuts the piece at the pattern's matches and treats the
    /// matches per `behavior`; `invert` swaps matches and non-matches first. Empty pieces are
    /// dropped (as `PreTokenizedString::split` does).
    func split(by pattern: TextPattern, behavior: SplitBehavior, invert: Bool = false) -> [TextPiece] {
        var segments = pattern.segments(in: scalars)
        if invert { segments = segments.map { ($0.range, !$0.isMatch) } }
        var kept: [(range: Range<Int>, remove: Bool)] = []
        switch behavior {
        case .isolated:
            kept = segments.map { ($0.range, false) }
        case .removed:
            kept = segments.map { ($0.range, $0.isMatch) }
        case .contiguous:
            var previousMatch = false
            for segment in segments {
                if segment.isMatch == previousMatch, let last = kept.last {
                    kept[kept.count - 1] = (last.range.lowerBound ..< segment.range.upperBound, false)
                } else {
                    kept.append((segment.range, false))
                }
                previousMatch = segment.isMatch
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for segment in segments {
                if segment.isMatch, !previousMatch, let last = kept.last {
                    kept[kept.count - 1] = (last.range.lowerBound ..< segment.range.upperBound, false)
                } else {
                    kept.append((segment.range, false))
                }
                previousMatch = segment.isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for segment in segments.reversed() {
                if segment.isMatch, !previousMatch, let last = kept.last {
                    kept[kept.count - 1] = (segment.range.lowerBound ..< last.range.upperBound, false)
                } else {
                    kept.append((segment.range, false))
                }
                previousMatch = segment.isMatch
            }
            kept.reverse()
        }
        return kept.compactMap { entry in
            guard !entry.remove, !entry.range.isEmpty else { return nil }
            return TextPiece(scalars: Array(scalars[entry.range]), startsAtOrigin: startsAtOrigin && entry.range.lowerBound == 0)
        }
    }
}
