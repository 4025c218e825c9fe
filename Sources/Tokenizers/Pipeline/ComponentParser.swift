/// Reads the pipeline components of a tokenizer.json into their Swift forms. Every problem
/// throws a `TokenizerError` naming the file and key path; unknown component types are
/// `.unsupported`, never ignored (a silently skipped normalizer would give wrong ids).
enum ComponentParser {
    static func typeName(_ node: JSONNode) throws -> String {
        try node.required("type").string()
    }

    static func unsupported(_ node: JSONNode, component: String, type: String) -> TokenizerError {
        .unsupported(path: node.source, keyPath: node.keyPath + ".type", component: component, type: type)
    }

    // MARK: Patterns

    /// `{"String": "..."}` or `{"Regex": "..."}`.
    static func pattern(_ node: JSONNode) throws -> TextPattern {
        if let literal = node.child("String") { return .literal([Unicode.Scalar](try literal.string())) }
        if let regexNode = node.child("Regex") {
            let source = try regexNode.string()
            do {
                return .regex(try SplitRegex(pattern: source))
            } catch {
                throw regexNode.invalid("regular expression not supported by this implementation")
            }
        }
        throw node.invalid("expected a pattern object with a \"String\" or \"Regex\" key")
    }

    /// A token id: an integer in 0 ... Int32.max.
    static func tokenId(_ node: JSONNode) throws -> Int32 {
        let id = try node.int()
        guard let value = Int32(exactly: id), value >= 0 else { throw node.invalid("token id out of range") }
        return value
    }

    static func singleScalar(_ node: JSONNode) throws -> Unicode.Scalar {
        let text = try node.string()
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 1 else { throw node.invalid("expected a single character") }
        return scalars[0]
    }

    static func behavior(_ node: JSONNode) throws -> SplitBehavior {
        let name = try node.string()
        guard let behavior = SplitBehavior(serialized: name) else { throw node.invalid("unknown split behavior \"\(name)\"") }
        return behavior
    }

    static func prependScheme(_ node: JSONNode) throws -> PreTokenizer.PrependScheme {
        // Older files have only `add_prefix_space`.
        if let scheme = node.nonNullChild("prepend_scheme") {
            let name = try scheme.string()
            guard let value = PreTokenizer.PrependScheme(rawValue: name) else { throw scheme.invalid("unknown prepend_scheme \"\(name)\"") }
            if try node.bool("add_prefix_space", default: true) == false, value != .never {
                throw node.invalid("add_prefix_space does not match declared prepend_scheme")
            }
            return value
        }
        return try node.bool("add_prefix_space", default: true) ? .always : .never
    }

    // MARK: Components

    static func normalizer(_ node: JSONNode) throws -> Normalizer? {
        if node.isNull { return nil }
        let type = try typeName(node)
        switch type {
        case "Sequence":
            return .sequence(try node.required("normalizers").array().compactMap { try normalizer($0) })
        case "Prepend":
            return .prepend([Unicode.Scalar](try node.required("prepend").string()))
        case "Replace":
            return .replace(try pattern(try node.required("pattern")), content: [Unicode.Scalar](try node.required("content").string()))
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Strip":
            return .strip(left: try node.bool("strip_left", default: true), right: try node.bool("strip_right", default: true))
        default:
            throw unsupported(node, component: "normalizer", type: type)
        }
    }

    static func preTokenizer(_ node: JSONNode) throws -> PreTokenizer? {
        if node.isNull { return nil }
        let type = try typeName(node)
        switch type {
        case "Sequence":
            return .sequence(try node.required("pretokenizers").array().compactMap { try preTokenizer($0) })
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: try node.bool("add_prefix_space", default: true),
                              useRegex: try node.bool("use_regex", default: true))
        case "Split":
            return .split(try pattern(try node.required("pattern")), behavior: try behavior(try node.required("behavior")),
                          invert: try node.bool("invert", default: false))
        case "Metaspace":
            return .metaspace(replacement: try singleScalar(try node.required("replacement")),
                              prependScheme: try prependScheme(node), split: try node.bool("split", default: true))
        case "Digits":
            return .digits(individual: try node.bool("individual_digits", default: false))
        case "Punctuation":
            return .punctuation(try node.nonNullChild("behavior").map(behavior) ?? .isolated)
        case "Whitespace":
            return .whitespace
        case "WhitespaceSplit":
            return .whitespaceSplit
        default:
            throw unsupported(node, component: "pre_tokenizer", type: type)
        }
    }

    static func postProcessor(_ node: JSONNode) throws -> PostProcessor? {
        if node.isNull { return nil }
        let type = try typeName(node)
        switch type {
        case "TemplateProcessing":
            var specials: [String: [Int32]] = [:]
            if let table = node.nonNullChild("special_tokens") {
                for (name, entry) in try table.entries() {
                    specials[name] = try entry.required("ids").array().map(tokenId)
                }
            }
            let single = try node.required("single").array().map { item -> PostProcessor.TemplatePiece in
                if item.child("Sequence") != nil { return .sequence }
                if let special = item.child("SpecialToken") {
                    let idNode = try special.required("id")
                    let name = try idNode.string()
                    guard let ids = specials[name] else { throw idNode.invalid("special token \"\(name)\" is not in special_tokens") }
                    return .special(name, ids)
                }
                throw item.invalid("expected a Sequence or SpecialToken template piece")
            }
            return .template(single: single)
        case "RobertaProcessing", "BertProcessing":
            func pair(_ key: String) throws -> (String, Int32) {
                let items = try node.required(key).array()
                guard items.count == 2 else { throw try node.required(key).invalid("expected [token, id]") }
                return (try items[0].string(), try tokenId(items[1]))
            }
            let cls = try pair("cls"), sep = try pair("sep")
            return .wrap(prefix: cls.0, prefixId: cls.1, suffix: sep.0, suffixId: sep.1)
        case "ByteLevel":
            return .byteLevel
        case "Sequence":
            return .sequence(try node.required("processors").array().compactMap { try postProcessor($0) })
        default:
            throw unsupported(node, component: "post_processor", type: type)
        }
    }

    static func decoder(_ node: JSONNode) throws -> Decoder? {
        if node.isNull { return nil }
        let type = try typeName(node)
        switch type {
        case "Sequence":
            return .sequence(try node.required("decoders").array().compactMap { try decoder($0) })
        case "ByteLevel":
            return .byteLevel
        case "Replace":
            return .replace(try pattern(try node.required("pattern")), content: [Unicode.Scalar](try node.required("content").string()))
        case "ByteFallback":
            return .byteFallback
        case "Fuse":
            return .fuse
        case "Strip":
            return .strip(content: try singleScalar(try node.required("content")),
                          start: try node.int("start", default: 0), stop: try node.int("stop", default: 0))
        case "Metaspace":
            return .metaspace(replacement: try singleScalar(try node.required("replacement")), prependScheme: try prependScheme(node))
        case "BPEDecoder":
            return .endOfWordSuffix([Unicode.Scalar](try node.optionalString("suffix") ?? "</w>"))
        default:
            throw unsupported(node, component: "decoder", type: type)
        }
    }

    /// The `model` object; only BPE (with or without an explicit "type") is supported.
    static func model(_ node: JSONNode) throws -> BPEModel {
        let type = try node.nonNullChild("type")?.string() ?? (node.child("merges") != nil ? "BPE" : "(none)")
        guard type == "BPE" else { throw unsupported(node, component: "model", type: type) }
        if let dropout = node.nonNullChild("dropout"), let p = dropout.value.doubleValue, p != 0 {
            throw dropout.invalid("BPE dropout is not supported (it makes encoding random)")
        }
        var configuration = BPEModel.Configuration(vocab: [], merges: [])
        for (token, idNode) in try node.required("vocab").entries() {
            configuration.vocab.append((token, try tokenId(idNode)))
        }
        for item in try node.nonNullChild("merges")?.array() ?? [] {
            switch item.value {
            case .string(let line):
                // Legacy form "left right".
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw item.invalid("expected a merge \"left right\"") }
                configuration.merges.append((String(parts[0]), String(parts[1])))
            case .array(let pair):
                guard pair.count == 2, case .string(let left) = pair[0], case .string(let right) = pair[1] else {
                    throw item.invalid("expected a merge [left, right]")
                }
                configuration.merges.append((left, right))
            default:
                throw item.invalid("expected a merge, found \(item.value.kindName)")
            }
        }
        configuration.unknownToken = try node.optionalString("unk_token")
        configuration.fuseUnknown = try node.bool("fuse_unk", default: false)
        configuration.byteFallback = try node.bool("byte_fallback", default: false)
        configuration.ignoreMerges = try node.bool("ignore_merges", default: false)
        configuration.continuingSubwordPrefix = try node.optionalString("continuing_subword_prefix")
        configuration.endOfWordSuffix = try node.optionalString("end_of_word_suffix")
        do {
            return try BPEModel(configuration)
        } catch let missing as BPEModel.MissingMergeToken {
            throw TokenizerError.invalidValue(path: node.source, keyPath: "\(node.keyPath).merges[\(missing.index)]",
                                              problem: "merge uses token \"\(missing.token)\" that is not in the vocabulary")
        }
    }

    static func addedTokens(_ node: JSONNode?) throws -> [AddedToken] {
        guard let node, !node.isNull else { return [] }
        return try node.array().map { item in
            let special = try item.bool("special", default: false)
            return AddedToken(
                id: try tokenId(try item.required("id")), content: try item.required("content").string(),
                singleWord: try item.bool("single_word", default: false), leftStrip: try item.bool("lstrip", default: false),
                rightStrip: try item.bool("rstrip", default: false), normalized: try item.bool("normalized", default: !special),
                special: special)
        }
    }
}
