import Foundation

/// What transformers reads from `tokenizer_config.json` (and the older
/// `special_tokens_map.json`) on top of tokenizer.json, as far as vlmtune needs it.
public struct TokenizerConfig: Sendable, Equatable {
    public var bosToken: String?
    public var eosToken: String?
    public var padToken: String?
    public var unkToken: String?
    /// transformers' Llama `legacy` flag (LLaVA's vicuna_v1 labels depend on it). Absent means
    /// true, the default of transformers' Llama tokenizers that LLaVA was written against.
    public var legacy: Bool = true
    /// `clean_up_tokenization_spaces`; absent means false.
    public var cleanUpTokenizationSpaces = false
    /// transformers 5 skips the clean-up for BPE models unless this key is also true.
    public var cleanUpEvenForBPE = false

    public init() {}

    /// Reads the two optional files' contents. Like transformers 5, `special_tokens_map.json`
    /// is only used when tokenizer_config.json has no `added_tokens_decoder`, and then its
    /// entries override the config's.
    init(config: Data?, configPath: String, specialTokensMap: Data?, mapPath: String) throws {
        var hasAddedTokensDecoder = false
        if let config {
            let root = JSONNode(root: try JSONParser.parse(config, path: configPath), source: configPath)
            guard root.isObject else { throw root.invalid("expected an object") }
            bosToken = try Self.tokenName(root.child("bos_token"))
            eosToken = try Self.tokenName(root.child("eos_token"))
            padToken = try Self.tokenName(root.child("pad_token"))
            unkToken = try Self.tokenName(root.child("unk_token"))
            legacy = try root.bool("legacy", default: true)
            cleanUpTokenizationSpaces = try root.bool("clean_up_tokenization_spaces", default: false)
            cleanUpEvenForBPE = try root.bool("clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output", default: false)
            hasAddedTokensDecoder = root.child("added_tokens_decoder") != nil
        }
        if let specialTokensMap, !hasAddedTokensDecoder {
            let root = JSONNode(root: try JSONParser.parse(specialTokensMap, path: mapPath), source: mapPath)
            guard root.isObject else { throw root.invalid("expected an object") }
            if let node = root.child("bos_token") { bosToken = try Self.tokenName(node) }
            if let node = root.child("eos_token") { eosToken = try Self.tokenName(node) }
            if let node = root.child("pad_token") { padToken = try Self.tokenName(node) }
            if let node = root.child("unk_token") { unkToken = try Self.tokenName(node) }
        }
    }

    /// A token given as a string, as `{"content": ...}` (an AddedToken), or null.
    private static func tokenName(_ node: JSONNode?) throws -> String? {
        guard let node, !node.isNull else { return nil }
        if case .string(let name) = node.value { return name }
        if node.isObject { return try node.required("content").string() }
        throw node.invalid("expected a token string or an object with \"content\"")
    }
}
