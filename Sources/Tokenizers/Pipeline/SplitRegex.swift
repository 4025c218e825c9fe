import Foundation

/// A regular expression as pre-tokenizers, `Split` and `Replace` use it: something that finds
/// the leftmost, non-overlapping matches in a run of Unicode scalars.
///
/// The three patterns that real checkpoints use (GPT-2's, Llama 3's and Qwen2's) are matched by
/// hand-written matchers that follow Oniguruma's backtracking semantics exactly (alternatives in
/// order, greedy quantifiers, `\s` = White_Space, `(?i:'s)` also matching the long s "ſ").
/// They are about ten times faster than ICU and do not depend on ICU's idea of `\s`. Any other
/// pattern goes to `NSRegularExpression` (ICU), whose syntax covers what tokenizer.json files
/// use (`\p{L}`, `(?i:...)`, lookahead); ICU's `\s` lacks U+000B and U+0085, a difference
/// that only matters for such other patterns.
final class SplitRegex: @unchecked Sendable {
    enum Engine {
        case gpt2
        /// Llama 3 (`\p{N}{1,3}`) and Qwen2 (`\p{N}`) differ only in the digit run length.
        case llamaFamily(maxDigits: Int)
        case icu(NSRegularExpression)
    }

    let pattern: String
    let engine: Engine

    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// Compiles `pattern`; the well-known ones get their hand-written matcher unless
    /// `forceICU` (used by tests to compare both engines).
    init(pattern: String, forceICU: Bool = false) throws {
        self.pattern = pattern
        if !forceICU, pattern == Self.gpt2Pattern {
            engine = .gpt2
        } else if !forceICU, pattern == Self.llama3Pattern {
            engine = .llamaFamily(maxDigits: 3)
        } else if !forceICU, pattern == Self.qwen2Pattern {
            engine = .llamaFamily(maxDigits: 1)
        } else {
            engine = .icu(try NSRegularExpression(pattern: pattern, options: []))
        }
    }

    /// A regex matching `literal` exactly (what `regex::escape` gives the Rust code).
    static func literal(_ literal: String) -> SplitRegex {
        // Escaping makes the pattern valid by construction.
        try! SplitRegex(pattern: NSRegularExpression.escapedPattern(for: literal))
    }

    /// The leftmost, non-overlapping matches (empty matches included, as Rust reports them).
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        switch engine {
        case .gpt2: return Self.scan(text, Self.matchGPT2)
        case .llamaFamily(let maxDigits): return Self.scan(text) { Self.matchLlama($0, $1, maxDigits: maxDigits) }
        case .icu(let regex): return Self.icuMatches(regex, text)
        }
    }

    /// Runs a matcher that returns the match length at a position (nil: no match there).
    private static func scan(_ text: [Unicode.Scalar], _ matchAt: ([Unicode.Scalar], Int) -> Int?) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var position = 0
        while position < text.count {
            if let length = matchAt(text, position), length > 0 {
                result.append(position ..< position + length)
                position += length
            } else {
                position += 1
            }
        }
        return result
    }

    // MARK: Hand-written matchers

    @inline(__always)
    private static func isOther(_ s: Unicode.Scalar) -> Bool {
        !CharacterClass.isWhitespace(s) && !CharacterClass.isLetter(s) && !CharacterClass.isNumber(s)
    }

    @inline(__always)
    private static func isNewline(_ s: Unicode.Scalar) -> Bool { s == "\n" || s == "\r" }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, optionally case-insensitive (Oniguruma folds "ſ" to "s").
    private static func contraction(_ t: [Unicode.Scalar], _ i: Int, ignoreCase: Bool) -> Int? {
        guard t[i] == "'", i + 1 < t.count else { return nil }
        func lower(_ s: Unicode.Scalar) -> Unicode.Scalar {
            guard ignoreCase else { return s }
            if s == "\u{17F}" { return "s" }
            if s.value >= 65, s.value <= 90 { return Unicode.Scalar(s.value + 32)! }
            return s
        }
        let first = lower(t[i + 1])
        switch first {
        case "s", "t", "m", "d":
            return 2
        case "r", "v", "l":
            guard i + 2 < t.count else { return nil }
            let second = lower(t[i + 2])
            if (first == "r" || first == "v") && second == "e" { return 3 }
            if first == "l" && second == "l" { return 3 }
            return nil
        default:
            return nil
        }
    }

    /// Length of the run of scalars from `i` satisfying `test`.
    @inline(__always)
    private static func run(_ t: [Unicode.Scalar], _ i: Int, _ test: (Unicode.Scalar) -> Bool) -> Int {
        var j = i
        while j < t.count, test(t[j]) { j += 1 }
        return j - i
    }

    /// `\s+(?!\S)` then `\s+`: a whitespace run, leaving its last scalar to the next token when
    /// a non-space follows.
    private static func whitespaceRun(_ t: [Unicode.Scalar], _ i: Int) -> Int? {
        let w = run(t, i, CharacterClass.isWhitespace)
        guard w > 0 else { return nil }
        if i + w == t.count { return w }
        return w >= 2 ? w - 1 : w
    }

    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    private static func matchGPT2(_ t: [Unicode.Scalar], _ i: Int) -> Int? {
        if let length = contraction(t, i, ignoreCase: false) { return length }
        let spaced = t[i] == " " && i + 1 < t.count
        // ` ?X+` for X = letters, then numbers, then the rest (not space, letter or number).
        if CharacterClass.isLetter(t[i]) { return run(t, i, CharacterClass.isLetter) }
        if spaced, CharacterClass.isLetter(t[i + 1]) { return 1 + run(t, i + 1, CharacterClass.isLetter) }
        if CharacterClass.isNumber(t[i]) { return run(t, i, CharacterClass.isNumber) }
        if spaced, CharacterClass.isNumber(t[i + 1]) { return 1 + run(t, i + 1, CharacterClass.isNumber) }
        if isOther(t[i]) { return run(t, i, isOther) }
        if spaced, isOther(t[i + 1]) { return 1 + run(t, i + 1, isOther) }
        return whitespaceRun(t, i)
    }

    /// Llama 3 / Qwen2: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,D}|
    /// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    private static func matchLlama(_ t: [Unicode.Scalar], _ i: Int, maxDigits: Int) -> Int? {
        if let length = contraction(t, i, ignoreCase: true) { return length }
        let c = t[i]
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if CharacterClass.isLetter(c) { return run(t, i, CharacterClass.isLetter) }
        if !isNewline(c), !CharacterClass.isNumber(c), i + 1 < t.count, CharacterClass.isLetter(t[i + 1]) {
            return 1 + run(t, i + 1, CharacterClass.isLetter)
        }
        // \p{N}{1,D}
        if CharacterClass.isNumber(c) { return min(run(t, i, CharacterClass.isNumber), maxDigits) }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        var start: Int? = nil
        if isOther(c) {
            start = i
        } else if c == " ", i + 1 < t.count, isOther(t[i + 1]) {
            start = i + 1
        }
        if let start {
            let end = start + run(t, start, isOther)
            return end + run(t, end, isNewline) - i
        }
        // \s*[\r\n]+ : up to and including the last newline of the whitespace run.
        let w = run(t, i, CharacterClass.isWhitespace)
        if w > 0 {
            var k = i + w - 1
            while k >= i, !isNewline(t[k]) { k -= 1 }
            if k >= i { return k + 1 - i }
        }
        return whitespaceRun(t, i)
    }

    // MARK: ICU

    private static func icuMatches(_ regex: NSRegularExpression, _ text: [Unicode.Scalar]) -> [Range<Int>] {
        guard !text.isEmpty else { return [] }
        // UTF-16 offset -> scalar index, for converting ICU's ranges back.
        var scalarIndexOfUTF16 = [Int]()
        scalarIndexOfUTF16.reserveCapacity(text.count + 1)
        for (index, scalar) in text.enumerated() {
            scalarIndexOfUTF16.append(index)
            if scalar.value > 0xFFFF { scalarIndexOfUTF16.append(index) }
        }
        scalarIndexOfUTF16.append(text.count)
        let string = text.string
        let utf16Length = scalarIndexOfUTF16.count - 1
        var result: [Range<Int>] = []
        for match in regex.matches(in: string, options: [], range: NSRange(location: 0, length: utf16Length)) {
            let range = match.range
            guard range.location != NSNotFound else { continue }
            let lower = scalarIndexOfUTF16[range.location]
            let upper = scalarIndexOfUTF16[range.location + range.length]
            result.append(lower ..< upper)
        }
        return result
    }
}
