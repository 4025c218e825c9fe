import Checksums
import Foundation

/// A Hugging Face `tokenizer.json` tokenizer (BPE: byte-level like GPT-2, Llama 3 and Qwen2,
/// or SentencePiece-style with byte fallback like Llama 2), plus what transformers adds from
/// `tokenizer_config.json`.
///
/// `encode` gives exactly the ids of HF `tokenizers`' `Tokenizer.encode(text).ids`; `decode`
/// gives exactly transformers' `AutoTokenizer.decode`. The pipeline is HF's: split on added
/// tokens, normalize, pre-tokenize, BPE each piece, post-process.
///
///     let tokenizer = try Tokenizer(folder: URL(fileURLWithPath: "Models/llama3"))
///     let ids = tokenizer.encode("Hello world")          // [128000, 9906, 1917]
///     tokenizer.decode(ids, skipSpecialTokens: true)     // "Hello world"
///
/// Thread-safe: everything is immutable except an internal, locked cache of word results.
public final class Tokenizer: @unchecked Sendable {
    /// Hex SHA-256 of the tokenizer.json bytes: identifies the exact tokenizer data was made with.
    public let sha256: String
    public let config: TokenizerConfig
    /// tokenizer.json `added_tokens`.
    public let addedTokens: [AddedToken]

    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let model: BPEModel
    let postProcessor: PostProcessor?
    let decoder: Decoder?
    let addedVocabulary: AddedVocabulary
    private let addedIdOfContent: [[UInt8]: Int32]
    private let specialContents: Set<[UInt8]>

    // MARK: Loading

    /// Loads `tokenizer.json` (required), `tokenizer_config.json` and `special_tokens_map.json`
    /// (optional) from a model folder. A path to a tokenizer.json file also works (the other
    /// files are then looked for next to it).
    public convenience init(folder location: URL) throws {
        var isDirectory: ObjCBool = false
        let isFile = FileManager.default.fileExists(atPath: location.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        let folder = isFile ? location.deletingLastPathComponent() : location
        let tokenizerURL = isFile ? location : folder.appendingPathComponent("tokenizer.json")
        let data = try Self.read(tokenizerURL, required: true)!
        let configURL = folder.appendingPathComponent("tokenizer_config.json")
        let mapURL = folder.appendingPathComponent("special_tokens_map.json")
        try self.init(tokenizerJSON: data, source: tokenizerURL.path,
                      config: try Self.read(configURL, required: false), configSource: configURL.path,
                      specialTokensMap: try Self.read(mapURL, required: false), specialTokensMapSource: mapURL.path)
    }

    /// Builds a tokenizer from file contents. `source` names are only used in error messages.
    public init(tokenizerJSON: Data, source: String = "tokenizer.json",
                config configData: Data? = nil, configSource: String = "tokenizer_config.json",
                specialTokensMap: Data? = nil, specialTokensMapSource: String = "special_tokens_map.json") throws {
        let root = JSONNode(root: try JSONParser.parse(tokenizerJSON, path: source), source: source)
        guard root.isObject else { throw root.invalid("expected a JSON object") }
        sha256 = SHA256.hash(tokenizerJSON).hexadecimal
        config = try TokenizerConfig(config: configData, configPath: configSource,
                                     specialTokensMap: specialTokensMap, mapPath: specialTokensMapSource)
        normalizer = try root.child("normalizer").flatMap(ComponentParser.normalizer)
        preTokenizer = try root.child("pre_tokenizer").flatMap(ComponentParser.preTokenizer)
        model = try ComponentParser.model(try root.required("model"))
        postProcessor = try root.child("post_processor").flatMap(ComponentParser.postProcessor)
        decoder = try root.child("decoder").flatMap(ComponentParser.decoder)
        addedTokens = try ComponentParser.addedTokens(root.child("added_tokens"))
        addedVocabulary = AddedVocabulary(tokens: addedTokens, normalizer: normalizer)
        var idOfContent: [[UInt8]: Int32] = [:], specials = Set<[UInt8]>()
        for token in addedTokens {
            idOfContent[Array(token.content.utf8)] = token.id
            if token.special { specials.insert(Array(token.content.utf8)) }
        }
        addedIdOfContent = idOfContent
        specialContents = specials
        idUpperBound = Int(max(model.tokenOfId.keys.max() ?? -1, addedTokens.map(\.id).max() ?? -1)) + 1
    }

    private static func read(_ url: URL, required: Bool) throws -> Data? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            if required { throw TokenizerError.missingFile(path: url.path) }
            return nil
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    // MARK: Vocabulary

    /// Number of distinct tokens, added ones included (HF `get_vocab_size(with_added_tokens=True)`).
    public var vocabSize: Int {
        model.vocab.count + addedIdOfContent.keys.filter { model.vocab[$0] == nil }.count
    }

    /// One more than the largest id: the row count an embedding matrix needs.
    public let idUpperBound: Int

    /// The id of a token string (added tokens first, then the model vocabulary).
    public func tokenId(for token: String) -> Int32? {
        let bytes = Array(token.utf8)
        return addedIdOfContent[bytes] ?? model.vocab[bytes]
    }

    /// The token string of an id (an added token's normalized form when it is normalized).
    public func token(for id: Int32) -> String? {
        addedVocabulary.decodedContent[id] ?? model.tokenOfId[id]
    }

    /// Whether the id is a special added token (left out by `skipSpecialTokens`).
    public func isSpecial(_ id: Int32) -> Bool {
        token(for: id).map { specialContents.contains(Array($0.utf8)) } ?? false
    }

    /// `bos_token` of tokenizer_config.json, else the special token the post-processor puts
    /// before the text.
    public var bosTokenId: Int32? {
        if let name = config.bosToken { return tokenId(for: name) }
        return postProcessor?.specialTokensAround.before.first.flatMap(tokenId(for:))
    }

    /// `eos_token` of tokenizer_config.json, else the special token the post-processor puts
    /// after the text.
    public var eosTokenId: Int32? {
        if let name = config.eosToken { return tokenId(for: name) }
        return postProcessor?.specialTokensAround.after.last.flatMap(tokenId(for:))
    }

    /// `pad_token` of tokenizer_config.json.
    public var padTokenId: Int32? { config.padToken.flatMap(tokenId(for:)) }

    /// `unk_token` of tokenizer_config.json, else the model's `unk_token`.
    public var unkTokenId: Int32? {
        if let name = config.unkToken { return tokenId(for: name) }
        return model.unknownTokenId
    }

    /// transformers' Llama `legacy` flag from tokenizer_config.json (true when absent).
    public var legacy: Bool { config.legacy }

    // MARK: Encoding

    /// The ids HF `tokenizers` gives for `text`: `Tokenizer.encode(text, add_special_tokens).ids`.
    ///
    /// This is also transformers' `tokenizer(text).input_ids` (what LLaVA's preprocessing
    /// sees): transformers 5 drops tokenizer_config.json's `add_bos_token` / `add_eos_token`
    /// whenever a tokenizer.json is present, so the post-processor alone decides.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int32] {
        let ids = encodeWithoutPostProcessing(text)
        return postProcessor?.process(ids, addSpecialTokens: addSpecialTokens) ?? ids
    }

    private func encodeWithoutPostProcessing(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for segment in addedVocabulary.split([Unicode.Scalar](text), normalizer: normalizer) {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let piece):
                let words = preTokenizer?.apply([piece]) ?? [piece]
                for word in words { model.tokenize(word.scalars, into: &ids) }
            }
        }
        return ids
    }

    // MARK: Decoding

    /// The text of `ids` as transformers' `decode(ids, skip_special_tokens:)` gives it: HF
    /// `tokenizers` decoding (unknown ids dropped, invalid UTF-8 replaced by U+FFFD), then
    /// transformers' `clean_up_tokenization` when enabled.
    ///
    /// `cleanUpTokenizationSpaces` nil follows transformers 5: tokenizer_config.json's
    /// `clean_up_tokenization_spaces`, which transformers 5 ignores for BPE models unless
    /// `clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output` is also set
    /// (transformers 4 applied it whenever set: pass `config.cleanUpTokenizationSpaces` for that).
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false, cleanUpTokenizationSpaces: Bool? = nil) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = token(for: id) else { continue }
            if skipSpecialTokens, specialContents.contains(Array(token.utf8)) { continue }
            tokens.append(token)
        }
        let text = decoder.map { $0.decodeChain(tokens).joined() } ?? tokens.joined(separator: " ")
        let cleanUp = cleanUpTokenizationSpaces ?? (config.cleanUpTokenizationSpaces && config.cleanUpEvenForBPE)
        return cleanUp ? Self.cleanUpTokenization(text) : text
    }

    /// transformers' `clean_up_tokenization`: removes the space before punctuation and English
    /// contractions that word-level tokenizers leave.
    static func cleanUpTokenization(_ text: String) -> String {
        // Applied one after the other, like Python's chained str.replace calls.
        var scalars = [Unicode.Scalar](text)
        for (from, to) in cleanUpReplacements {
            scalars = TextPattern.literal(from).replacingMatches(in: scalars, with: to)
        }
        return scalars.string
    }

    private static let cleanUpReplacements: [([Unicode.Scalar], [Unicode.Scalar])] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
        (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ].map { ([Unicode.Scalar]($0.0), [Unicode.Scalar]($0.1)) }
}
