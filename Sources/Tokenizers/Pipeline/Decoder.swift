/// tokenizer.json `decoder`: turns token strings back into text. Each step maps the list of
/// token strings to a new list (HF `decode_chain`); the results are joined at the end.
indirect enum Decoder {
    case sequence([Decoder])
    /// Byte-level characters back to bytes, decoded as lossy UTF-8 (one string out).
    case byteLevel
    case replace(TextPattern, content: [Unicode.Scalar])
    /// Runs of `<0xNN>` tokens back to their bytes; a run that is not valid UTF-8 becomes one
    /// U+FFFD per byte (not per invalid sequence, unlike lossy decoding).
    case byteFallback
    /// Joins everything into one string.
    case fuse
    /// Removes up to `start` leading and `stop` trailing `content` characters of every token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// "▁" back to spaces; in the first token "▁"s are dropped unless the scheme is `never`.
    case metaspace(replacement: Unicode.Scalar, prependScheme: PreTokenizer.PrependScheme)
    /// `BPEDecoder`: the end-of-word suffix becomes a space, except in the last token.
    case endOfWordSuffix([Unicode.Scalar])

    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(tokens) { $1.decodeChain($0) }
        case .byteLevel:
            var bytes = [UInt8]()
            for token in tokens {
                let start = bytes.count
                for scalar in token.unicodeScalars {
                    guard let byte = ByteLevelAlphabet.byte(of: scalar) else {
                        // A token with any character outside the alphabet is kept as its own UTF-8.
                        bytes.removeSubrange(start...)
                        bytes.append(contentsOf: token.utf8)
                        break
                    }
                    bytes.append(byte)
                }
            }
            return [lossyUTF8(bytes)]
        case .replace(let pattern, let content):
            return tokens.map { pattern.replacingMatches(in: [Unicode.Scalar]($0), with: content).string }
        case .byteFallback:
            var result: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let text = strictUTF8(pending) {
                    result.append(text)
                } else {
                    result.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
                }
                pending.removeAll()
            }
            for token in tokens {
                if let byte = Self.byteFallbackValue(token) {
                    pending.append(byte)
                } else {
                    flush()
                    result.append(token)
                }
            }
            flush()
            return result
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                let scalars = [Unicode.Scalar](token)
                var from = 0, to = scalars.count
                while from < min(start, scalars.count), scalars[from] == content { from += 1 }
                var removed = 0
                while removed < stop, to > from, scalars[to - 1] == content {
                    to -= 1
                    removed += 1
                }
                return Array(scalars[from ..< to]).string
            }
        case .endOfWordSuffix(let suffix):
            let pattern = TextPattern.literal(suffix)
            return tokens.enumerated().map { index, token in
                pattern.replacingMatches(in: [Unicode.Scalar](token), with: index == tokens.count - 1 ? [] : [" "]).string
            }
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { index, token in
                var view = String.UnicodeScalarView()
                for scalar in token.unicodeScalars {
                    if scalar == replacement {
                        if index == 0 && scheme != .never { continue }
                        view.append(" ")
                    } else {
                        view.append(scalar)
                    }
                }
                return String(view)
            }
        }
    }

    /// The byte of a `<0xNN>` token (exactly six bytes; Rust's radix parse also takes "+N").
    static func byteFallbackValue(_ token: String) -> UInt8? {
        let bytes = Array(token.utf8)
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "<"), bytes[1] == UInt8(ascii: "0"),
              bytes[2] == UInt8(ascii: "x"), bytes[5] == UInt8(ascii: ">") else { return nil }
        var digits = String(decoding: bytes[3 ..< 5], as: UTF8.self)
        if digits.hasPrefix("+") { digits.removeFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }) else {
            return nil
        }
        return UInt8(digits, radix: 16)
    }
}
