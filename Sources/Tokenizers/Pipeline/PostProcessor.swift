/// tokenizer.json `post_processor`: adds the special tokens around an encoded sequence when
/// `addSpecialTokens` is set. Only single sequences are encoded (no pairs).
indirect enum PostProcessor {
    /// One element of a `TemplateProcessing` template.
    enum TemplatePiece {
        case sequence
        /// A special token: its name and ids (`special_tokens[name].ids`).
        case special(String, [Int32])
    }

    case template(single: [TemplatePiece])
    /// `cls` + sequence + `sep` (RoBERTa and BERT for a single sequence).
    case wrap(prefix: String, prefixId: Int32, suffix: String, suffixId: Int32)
    /// Offsets only; ids unchanged.
    case byteLevel
    case sequence([PostProcessor])

    func process(_ ids: [Int32], addSpecialTokens: Bool) -> [Int32] {
        guard addSpecialTokens else { return ids }
        switch self {
        case .template(let pieces):
            var result = [Int32]()
            result.reserveCapacity(ids.count + pieces.count)
            for piece in pieces {
                switch piece {
                case .sequence: result.append(contentsOf: ids)
                case .special(_, let specialIds): result.append(contentsOf: specialIds)
                }
            }
            return result
        case .wrap(_, let prefixId, _, let suffixId):
            return [prefixId] + ids + [suffixId]
        case .byteLevel:
            return ids
        case .sequence(let steps):
            return steps.reduce(ids) { $1.process($0, addSpecialTokens: true) }
        }
    }

    /// The special tokens placed before and after the sequence (names), used as the BOS/EOS
    /// fallback when tokenizer_config.json does not name them.
    var specialTokensAround: (before: [String], after: [String]) {
        switch self {
        case .template(let pieces):
            var before: [String] = [], after: [String] = []
            var seenSequence = false
            for piece in pieces {
                switch piece {
                case .sequence: seenSequence = true
                case .special(let name, _): if seenSequence { after.append(name) } else { before.append(name) }
                }
            }
            return (before, after)
        case .sequence(let steps):
            var before: [String] = [], after: [String] = []
            for step in steps {
                let around = step.specialTokensAround
                before = around.before + before
                after += around.after
            }
            return (before, after)
        case .wrap(let prefix, _, let suffix, _):
            return ([prefix], [suffix])
        case .byteLevel:
            return ([], [])
        }
    }
}
