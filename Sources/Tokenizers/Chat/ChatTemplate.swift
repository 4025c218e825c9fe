/// The conversation formats vlmtune trains with, named as LLaVA names them.
///
/// - `plain`: stage 1 (projector pretraining): image, caption, "\n"; nothing else.
/// - `vicuna_v1`: LLaVA-1.5's "SYSTEM USER: ... ASSISTANT: ...</s>" format.
/// - `llama3`: Llama 3 Instruct's header format, as LLaVA-NeXT uses it.
/// - `chatml`: Qwen2's `<|im_start|>role\n...<|im_end|>\n` format, as LLaVA-NeXT / OneVision use it.
public enum ChatTemplate: String, CaseIterable, Sendable {
    case plain
    case vicunaV1 = "vicuna_v1"
    case llama3
    case chatml

    /// The template called `name` ("plain", "vicuna_v1", "llama3", "chatml").
    public init(name: String) throws {
        guard let template = ChatTemplate(rawValue: name) else { throw ChatTemplateError.unknownTemplate(name) }
        self = template
    }

    /// The system prompt used when a conversation has no system turn.
    public var defaultSystemPrompt: String {
        switch self {
        case .plain:
            return ""
        case .vicunaV1:
            // LLaVA conversation.py, conv_vicuna_v1.
            return "A chat between a curious user and an artificial intelligence assistant. "
                + "The assistant gives helpful, detailed, and polite answers to the user's questions."
        case .llama3:
            // LLaVA-NeXT train.py, preprocess_llama3 (and conv_llava_llama_3).
            return "You are a helpful language and vision assistant. You are able to understand the visual "
                + "content that the user provides, and assist the user with a variety of tasks using natural language."
        case .chatml:
            // LLaVA-NeXT train.py, preprocess_qwen; also Qwen2's own default.
            return "You are a helpful assistant."
        }
    }

    /// Added tokens the tokenizer must have for this template.
    var requiredTokens: [String] {
        switch self {
        case .plain, .vicunaV1: return []
        case .llama3: return ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
        case .chatml: return ["<|im_start|>", "<|im_end|>"]
        }
    }
}

/// A conversation reduced to what every template works from.
struct PreparedConversation {
    /// The system turn's text, if the conversation had one.
    var system: String?
    /// Alternating user / assistant texts, starting with a user turn.
    var turns: [String]

    /// The turns up to the last user turn: a trailing assistant turn (an eval sample's
    /// reference answer) is not part of a generation prompt.
    var promptTurns: [String] { turns.count % 2 == 0 ? Array(turns.dropLast()) : turns }

    /// Applies LLaVA's conversation rules. QUIRKS reproduced:
    /// - a first turn that is not from the human is dropped (train.py: "Skip the first one if
    ///   it is not from human"), after taking out a leading system turn (a vlmtune addition:
    ///   LLaVA has no system turns in its data);
    /// - `preprocess_multimodal`: a turn with one `<image>` tag loses the tag, is stripped
    ///   (Python `str.strip`), and becomes "<image>\n" + text. LLaVA 1.5 also collapses several
    ///   tags of one turn into one, which would lose images; like LLaVA-NeXT, turns with
    ///   several tags are left as they are.
    init(_ conversation: [ConversationTurn], requireAssistant: Bool) throws(ConversationIssue) {
        var turns = conversation
        for (index, turn) in turns.enumerated() where turn.role == nil {
            throw .unknownRole(turn.from, turn: index)
        }
        var dropped = 0
        if turns.first?.role == .system {
            system = turns.removeFirst().value
            dropped += 1
        }
        if let first = turns.first, first.role != .user {
            turns.removeFirst()
            dropped += 1
        }
        guard !turns.isEmpty else { throw requireAssistant ? .noAssistantTurn : .empty }
        for (index, turn) in turns.enumerated() where turn.role != (index % 2 == 0 ? .user : .assistant) {
            throw .turnsDoNotAlternate(turn: index + dropped)
        }
        if requireAssistant, turns.count < 2 { throw .noAssistantTurn }
        self.turns = turns.map { Self.movingSingleImageToFront($0.value) }
    }

    static func movingSingleImageToFront(_ value: String) -> String {
        let scalars = [Unicode.Scalar](value)
        let tag = [Unicode.Scalar](LLaVAToken.imageTag)
        let found = TextPattern.literal(tag).matches(in: scalars)
        guard found.count == 1 else { return value }
        let rest = TextPattern.literal(tag).replacingMatches(in: scalars, with: []).string
        return pythonStrip(LLaVAToken.imageTag + "\n" + pythonStrip(rest))
    }
}
