import Foundation

/// One turn of a LLaVA-format conversation: `{"from": "human", "value": "<image>\nWhat is ..."}`.
/// Roles: "human" (or "user"), "gpt" (or "assistant"), and "system" as an optional first turn.
public struct ConversationTurn: Codable, Equatable, Sendable {
    public var from: String
    public var value: String

    public init(from: String, value: String) {
        self.from = from
        self.value = value
    }

    enum Role {
        case system, user, assistant
    }

    var role: Role? {
        switch from.lowercased() {
        case "human", "user": return .user
        case "gpt", "assistant": return .assistant
        case "system": return .system
        default: return nil
        }
    }

    /// Parses a conversation: a JSON array of turns, or a LLaVA sample object holding one under
    /// `"conversations"`. Errors name `source` and the JSON position or key.
    public static func parseList(_ data: Data, source: String) throws -> [ConversationTurn] {
        var root = JSONNode(root: try JSONParser.parse(data, path: source), source: source)
        if root.isObject { root = try root.required("conversations") }
        return try root.array().map { item in
            ConversationTurn(from: try item.required("from").string(), value: try item.required("value").string())
        }
    }
}

/// LLaVA's constants for the token streams of training samples.
public enum LLaVAToken {
    /// Label of a position that takes no loss (`IGNORE_INDEX`).
    public static let ignoreIndex: Int32 = -100
    /// Placeholder of one image in `input_ids` (`IMAGE_TOKEN_INDEX`), replaced by its features.
    public static let image: Int32 = -200
    /// Placeholder of one video.
    public static let video: Int32 = -201
    /// The tags that mark them in conversation text.
    public static let imageTag = "<image>"
    public static let videoTag = "<video>"
}

/// A conversation turned into a training sample.
public struct EncodedConversation: Equatable, Sendable {
    /// Token ids, with `LLaVAToken.image` / `.video` where the media go.
    public var inputIds: [Int32]
    /// The target of each position, `LLaVAToken.ignoreIndex` where no loss is taken.
    public var labels: [Int32]
    /// Set when LLaVA's round-length check failed (vicuna_v1 only): the labels are then all
    /// ignored, as LLaVA does ("WARNING: tokenization mismatch: 120 vs. 121. (ignored)").
    public var tokenizationMismatch: TokenizationMismatch?

    public init(inputIds: [Int32], labels: [Int32], tokenizationMismatch: TokenizationMismatch? = nil) {
        self.inputIds = inputIds
        self.labels = labels
        self.tokenizationMismatch = tokenizationMismatch
    }

    public var imageCount: Int { inputIds.lazy.filter { $0 == LLaVAToken.image }.count }
    public var videoCount: Int { inputIds.lazy.filter { $0 == LLaVAToken.video }.count }
    /// Number of positions that take a loss.
    public var trainedCount: Int { labels.lazy.filter { $0 != LLaVAToken.ignoreIndex }.count }
}

/// The two numbers of LLaVA's "tokenization mismatch" warning.
public struct TokenizationMismatch: Equatable, Sendable {
    /// The token count LLaVA's label masking arrived at (`cur_len`).
    public var countedLength: Int
    /// The sample's non-pad token count (`total_len`).
    public var tokenCount: Int

    public init(countedLength: Int, tokenCount: Int) {
        self.countedLength = countedLength
        self.tokenCount = tokenCount
    }
}

/// Why a conversation cannot be encoded. The data converter skips such samples and counts
/// them by `reason`.
public enum ConversationIssue: Error, Equatable, Sendable, CustomStringConvertible {
    /// No turns at all (after dropping a leading system turn).
    case empty
    /// A turn whose "from" is not human/user, gpt/assistant or system.
    case unknownRole(String, turn: Int)
    /// After the optional system turn (and LLaVA's dropping of a first non-human turn), turns
    /// must go human, gpt, human, gpt, ...
    case turnsDoNotAlternate(turn: Int)
    /// Nothing to train on.
    case noAssistantTurn
    /// The `plain` template takes exactly an image turn and a caption turn.
    case plainNeedsImageAndCaption

    /// A stable key for counting skipped samples.
    public var reason: String {
        switch self {
        case .empty: return "empty_conversation"
        case .unknownRole: return "unknown_role"
        case .turnsDoNotAlternate: return "turns_do_not_alternate"
        case .noAssistantTurn: return "no_assistant_turn"
        case .plainNeedsImageAndCaption: return "plain_needs_image_and_caption"
        }
    }

    public var description: String {
        switch self {
        case .empty: return "conversation has no turns"
        case .unknownRole(let role, let turn): return "unknown role \"\(role)\" in turn \(turn)"
        case .turnsDoNotAlternate(let turn): return "turns do not alternate between human and gpt at turn \(turn)"
        case .noAssistantTurn: return "conversation has no assistant (gpt) turn"
        case .plainNeedsImageAndCaption: return "the plain template needs exactly a human turn with <image> and a gpt caption"
        }
    }
}

/// A template that cannot be used with a tokenizer, or an unknown template name.
public enum ChatTemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownTemplate(String)
    case missingToken(template: String, token: String)

    public var description: String {
        switch self {
        case .unknownTemplate(let name):
            return "unknown chat template \"\(name)\" (known: \(ChatTemplate.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .missingToken(let template, let token):
            return "chat template \(template) needs the added token \"\(token)\", which the tokenizer does not have"
        }
    }
}
