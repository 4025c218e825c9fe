/// tokenizer.json `pre_tokenizer`: cuts normalized text into the "words" that BPE merges
/// within (BPE never merges across two pieces).
indirect enum PreTokenizer {
    enum PrependScheme: String {
        case first, always, never
    }

    case sequence([PreTokenizer])
    /// GPT-2 style: optionally a leading space, optionally the GPT-2 regex split, then every
    /// byte replaced by its `ByteLevelAlphabet` character.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(TextPattern, behavior: SplitBehavior, invert: Bool)
    /// SentencePiece style: spaces become `replacement` ("▁"), which is prepended per the
    /// scheme, and (with `split`) every "▁" starts a new piece.
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme, split: Bool)
    /// Digits isolated one by one, or in contiguous runs.
    case digits(individual: Bool)
    case punctuation(SplitBehavior)
    /// `\w+|[^\w\s]+` kept, everything else removed.
    case whitespace
    /// Split on White_Space, which is removed.
    case whitespaceSplit

    func apply(_ pieces: [TextPiece]) -> [TextPiece] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(pieces) { $1.apply($0) }
        default:
            var result: [TextPiece] = []
            result.reserveCapacity(pieces.count)
            for piece in pieces { appendSplits(of: piece, to: &result) }
            return result
        }
    }

    private static let gpt2Regex = try! SplitRegex(pattern: SplitRegex.gpt2Pattern)

    private func appendSplits(of piece: TextPiece, to result: inout [TextPiece]) {
        switch self {
        case .sequence:
            result.append(contentsOf: apply([piece]))
        case .byteLevel(let addPrefixSpace, let useRegex):
            var piece = piece
            if addPrefixSpace, piece.scalars.first != " " { piece.scalars.insert(" ", at: 0) }
            let parts = useRegex ? piece.split(by: .regex(Self.gpt2Regex), behavior: .isolated) : [piece]
            for var part in parts where !part.scalars.isEmpty {
                part.scalars = ByteLevelAlphabet.encode(part.scalars)
                result.append(part)
            }
        case .split(let pattern, let behavior, let invert):
            result.append(contentsOf: piece.split(by: pattern, behavior: behavior, invert: invert))
        case .metaspace(let replacement, let scheme, let split):
            var piece = piece
            for i in piece.scalars.indices where piece.scalars[i] == " " { piece.scalars[i] = replacement }
            let prepend: Bool
            switch scheme {
            case .always: prepend = piece.scalars.first != replacement
            case .first: prepend = piece.scalars.first != replacement && piece.startsAtOrigin
            case .never: prepend = false
            }
            if prepend { piece.scalars.insert(replacement, at: 0) }
            if split {
                result.append(contentsOf: piece.split(by: .scalar { $0 == replacement }, behavior: .mergedWithNext))
            } else if !piece.scalars.isEmpty {
                result.append(piece)
            }
        case .digits(let individual):
            result.append(contentsOf: piece.split(by: .scalar(CharacterClass.isNumber), behavior: individual ? .isolated : .contiguous))
        case .punctuation(let behavior):
            result.append(contentsOf: piece.split(by: .scalar(CharacterClass.isPunctuation), behavior: behavior))
        case .whitespace:
            appendWordsAndSymbols(of: piece, to: &result)
        case .whitespaceSplit:
            result.append(contentsOf: piece.split(by: .scalar(CharacterClass.isWhitespace), behavior: .removed))
        }
    }

    /// The `Whitespace` pre-tokenizer: runs of `\w` and runs of neither `\w` nor `\s`.
    private func appendWordsAndSymbols(of piece: TextPiece, to result: inout [TextPiece]) {
        let text = piece.scalars
        var i = 0
        while i < text.count {
            let kind: Int = CharacterClass.isWordCharacter(text[i]) ? 1 : (CharacterClass.isWhitespace(text[i]) ? 0 : 2)
            var j = i + 1
            while j < text.count {
                let next = CharacterClass.isWordCharacter(text[j]) ? 1 : (CharacterClass.isWhitespace(text[j]) ? 0 : 2)
                if next != kind { break }
                j += 1
            }
            if kind != 0 { result.append(TextPiece(scalars: Array(text[i ..< j]), startsAtOrigin: piece.startsAtOrigin && i == 0)) }
            i = j
        }
    }
}
