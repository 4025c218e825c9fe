/// The handful of Python `str` operations the public scoring scripts use, over Unicode scalars.
///
/// Python strings are sequences of code points, Swift strings of grapheme clusters: `"x.\u{301}"`
/// holds a `"."` for Python but not for `String.split(separator: ".")`. Answer parsing must cut
/// where the scripts cut, so the parsers work on `[Unicode.Scalar]` with these helpers.
typealias Scalars = [Unicode.Scalar]

enum PythonText {
    static func scalars(_ text: String) -> Scalars { Array(text.unicodeScalars) }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// `str.lower()`.
    static func lower(_ text: Scalars) -> Scalars { scalars(string(text).lowercased()) }

    /// What `str.isspace()` accepts (bidirectional classes WS, B, S and category Zs), which is
    /// what `str.split()` and `str.strip()` cut on.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `\d` of Python's `re` on `str` patterns: any decimal digit (category Nd).
    static func isDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.numericType == .decimal
    }

    /// `str.split()`: runs of whitespace separate, empty pieces dropped.
    static func splitOnWhitespace(_ text: Scalars) -> [Scalars] {
        text.split(whereSeparator: isWhitespace).map(Array.init)
    }

    /// `str.split(sep)`: every occurrence separates, empty pieces kept.
    static func split(_ text: Scalars, on separator: Scalars) -> [Scalars] {
        var pieces: [Scalars] = []
        var start = 0
        var index = 0
        while index + separator.count <= text.count {
            if matches(text, separator, at: index) {
                pieces.append(Array(text[start..<index]))
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        pieces.append(Array(text[start...]))
        return pieces
    }

    /// `str.strip()` with no argument.
    static func strip(_ text: Scalars) -> Scalars { strip(text, where: isWhitespace) }

    /// `str.strip(chars)`.
    static func strip(_ text: Scalars, where shouldStrip: (Unicode.Scalar) -> Bool) -> Scalars {
        guard let first = text.firstIndex(where: { !shouldStrip($0) }),
              let last = text.lastIndex(where: { !shouldStrip($0) }) else { return [] }
        return Array(text[first...last])
    }

    /// `old in text`.
    static func contains(_ text: Scalars, _ part: Scalars) -> Bool { find(text, part) != nil }

    /// `text.find(part)`, nil for -1.
    static func find(_ text: Scalars, _ part: Scalars, from start: Int = 0) -> Int? {
        guard part.count <= text.count else { return nil }
        var index = start
        while index + part.count <= text.count {
            if matches(text, part, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// `text.replace(old, new)` (left to right, non-overlapping).
    static func replace(_ text: Scalars, _ old: Scalars, with new: Scalars) -> Scalars {
        guard !old.isEmpty else { return text }
        var out: Scalars = []
        out.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if index + old.count <= text.count, matches(text, old, at: index) {
                out.append(contentsOf: new)
                index += old.count
            } else {
                out.append(text[index])
                index += 1
            }
        }
        return out
    }

    private static func matches(_ text: Scalars, _ part: Scalars, at index: Int) -> Bool {
        for offset in 0..<part.count where text[index + offset] != part[offset] { return false }
        return true
    }
}
