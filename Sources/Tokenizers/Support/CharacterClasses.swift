/// The Unicode character classes that tokenizers rely on, defined the way the Rust
/// `tokenizers` crate (and its regex engines) define them, on Unicode scalars (never on Swift
/// `Character`s, which are grapheme clusters).
enum CharacterClass {
    private static let letterFlag: UInt8 = 1, numberFlag: UInt8 = 2, spaceFlag: UInt8 = 4
    private static let wordFlag: UInt8 = 8, punctuationFlag: UInt8 = 16

    /// Flags of the ASCII range, so the common case needs no property lookup.
    private static let asciiFlags: [UInt8] = (0 ..< 128).map { value in
        let scalar = Unicode.Scalar(UInt8(value))
        var flags: UInt8 = 0
        if slowIsLetter(scalar) { flags |= letterFlag }
        if slowIsNumber(scalar) { flags |= numberFlag }
        if scalar.properties.isWhitespace { flags |= spaceFlag }
        if slowIsWord(scalar) { flags |= wordFlag }
        if slowIsPunctuation(scalar) { flags |= punctuationFlag }
        return flags
    }

    /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
    @inline(__always)
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 128 ? asciiFlags[Int(scalar.value)] & letterFlag != 0 : slowIsLetter(scalar)
    }

    /// `\p{N}` and Rust's `char::is_numeric`: general category Nd, Nl or No.
    @inline(__always)
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 128 ? asciiFlags[Int(scalar.value)] & numberFlag != 0 : slowIsNumber(scalar)
    }

    /// `\s` of the Rust regex crate and Oniguruma, and Rust's `char::is_whitespace`: the
    /// Unicode White_Space property (includes U+000B, U+0085, U+00A0, U+2028; not U+200B).
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 128 ? asciiFlags[Int(scalar.value)] & spaceFlag != 0 : scalar.properties.isWhitespace
    }

    /// `\w` of the Rust regex crate: Alphabetic, marks, decimal digits, connector punctuation
    /// and Join_Control.
    @inline(__always)
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 128 ? asciiFlags[Int(scalar.value)] & wordFlag != 0 : slowIsWord(scalar)
    }

    /// The `Punctuation` pre-tokenizer's test: ASCII punctuation or a Unicode P* category.
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 128 ? asciiFlags[Int(scalar.value)] & punctuationFlag != 0 : slowIsPunctuation(scalar)
    }

    /// Python's `str.isspace` (used by `str.strip()` in LLaVA and by Jinja's `trim`): bidi
    /// classes WS, B, S or category Zs. Differs from White_Space: includes U+001C-001F.
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09 ... 0x0D, 0x1C ... 0x20, 0x85, 0xA0, 0x1680, 0x2000 ... 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    private static func slowIsLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    private static func slowIsNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    private static func slowIsWord(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    private static func slowIsPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return (0x21 ... 0x2F).contains(v) || (0x3A ... 0x40).contains(v) || (0x5B ... 0x60).contains(v) || (0x7B ... 0x7E).contains(v)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }
}

/// Helpers on arrays of Unicode scalars, the text representation of the whole pipeline.
extension Array where Element == Unicode.Scalar {
    init(_ text: String) { self = Array(text.unicodeScalars) }

    /// The scalars as a `String` (exactly these scalars; no normalization).
    var string: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: self)
        return String(view)
    }

    /// The scalars' UTF-8 bytes.
    var utf8Bytes: [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        for scalar in self { appendUTF8(scalar, to: &bytes) }
        return bytes
    }
}

@inline(__always)
func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
    let v = scalar.value
    if v < 0x80 {
        bytes.append(UInt8(v))
    } else if v < 0x800 {
        bytes.append(UInt8(0xC0 | (v >> 6)))
        bytes.append(UInt8(0x80 | (v & 0x3F)))
    } else if v < 0x10000 {
        bytes.append(UInt8(0xE0 | (v >> 12)))
        bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (v & 0x3F)))
    } else {
        bytes.append(UInt8(0xF0 | (v >> 18)))
        bytes.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
        bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (v & 0x3F)))
    }
}

/// Python's `str.strip()` on scalars (whitespace as `str.isspace` defines it).
func pythonStrip(_ text: String) -> String {
    let scalars = [Unicode.Scalar](text)
    var start = 0, end = scalars.count
    while start < end, CharacterClass.isPythonSpace(scalars[start]) { start += 1 }
    while end > start, CharacterClass.isPythonSpace(scalars[end - 1]) { end -= 1 }
    return Array(scalars[start ..< end]).string
}

/// Decodes bytes as UTF-8 the way Rust's `String::from_utf8_lossy` does: each maximal
/// invalid subsequence becomes one U+FFFD (Swift's decoder follows the same Unicode practice).
func lossyUTF8(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// The bytes as a string only if they are valid UTF-8 (Rust's `String::from_utf8`).
func strictUTF8(_ bytes: [UInt8]) -> String? {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var view = String.UnicodeScalarView()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar): view.append(scalar)
        case .emptyInput: return String(view)
        case .error: return nil
        }
    }
}
