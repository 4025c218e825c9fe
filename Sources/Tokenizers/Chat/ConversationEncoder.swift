/// Turns LLaVA conversations into training samples (`input_ids` + `labels`) and generation
/// prompts, for one tokenizer and chat template, exactly as LLaVA's trainer does.
///
///     let encoder = try ConversationEncoder(tokenizer: tokenizer, template: .vicunaV1)
///     let sample = try encoder.encode([
///         ConversationTurn(from: "human", value: "<image>\nWhat is it?"),
///         ConversationTurn(from: "gpt", value: "A red square."),
///     ])
///     // sample.inputIds: [1, ..., -200, ...]; sample.labels: -100 except the answer and "</s>"
///
/// Labels follow LLaVA: BOS, system text, user turns and image positions get -100; each
/// assistant answer and the token that ends it are trained. The per-template rules (and the
/// LLaVA quirks kept on purpose) are documented on `encodeVicuna`, `encodePlain` and
/// `encodeWithHeaders`.
public struct ConversationEncoder: Sendable {
    public let tokenizer: Tokenizer
    public let template: ChatTemplate
    /// Replaces the template's default system prompt (a system turn replaces both).
    public let systemPrompt: String?

    /// Throws `ChatTemplateError.missingToken` when the template needs added tokens (e.g.
    /// `<|eot_id|>` for llama3) that the tokenizer lacks.
    public init(tokenizer: Tokenizer, template: ChatTemplate, systemPrompt: String? = nil) throws {
        for name in template.requiredTokens where !tokenizer.addedTokens.contains(where: { $0.content == name }) {
            throw ChatTemplateError.missingToken(template: template.rawValue, token: name)
        }
        self.tokenizer = tokenizer
        self.template = template
        self.systemPrompt = systemPrompt
    }

    /// The training sample of a conversation, or the reason it cannot be one.
    public func encode(_ conversation: [ConversationTurn]) throws(ConversationIssue) -> EncodedConversation {
        switch template {
        case .plain:
            return try encodePlain(conversation)
        case .vicunaV1:
            return encodeVicuna(try PreparedConversation(conversation, requireAssistant: true))
        case .llama3, .chatml:
            let prepared = try PreparedConversation(conversation, requireAssistant: true)
            let (ids, labels) = encodeWithHeaders(system: system(of: prepared), turns: prepared.turns, generation: false)
            return EncodedConversation(inputIds: ids, labels: labels, tokenizationMismatch: nil)
        }
    }

    /// The generation prompt: the conversation so far (a trailing assistant turn, such as an
    /// eval sample's reference answer, is left out) followed by the assistant's role header,
    /// as the template renders it. llama3's starts with the "<|begin_of_text|>" text, as Llama 3's
    /// own chat template renders it; vicuna_v1's is LLaVA's `get_prompt()` ending in "ASSISTANT:".
    public func prompt(for conversation: [ConversationTurn]) throws(ConversationIssue) -> String {
        switch template {
        case .plain:
            _ = try plainTurns(conversation, requireCaption: false)
            return LLaVAToken.imageTag
        case .vicunaV1:
            let prepared = try PreparedConversation(conversation, requireAssistant: false)
            return vicunaPrompt(system: system(of: prepared), turns: prepared.promptTurns, generation: true)
        case .llama3, .chatml:
            let prepared = try PreparedConversation(conversation, requireAssistant: false)
            return headerBlocks(system: system(of: prepared), turns: prepared.promptTurns, generation: true)
                .map(\.text).joined()
        }
    }

    /// The ids of `prompt(for:)`, tokenized as the training samples of the template are (so
    /// they are a prefix-compatible continuation point for generation), media as placeholders.
    public func promptIds(for conversation: [ConversationTurn]) throws(ConversationIssue) -> [Int32] {
        switch template {
        case .plain, .vicunaV1:
            // LLaVA's eval scripts: tokenizer_image_token(prompt).
            return tokenizer.llavaTokenizeWithMedia(try prompt(for: conversation))
        case .llama3, .chatml:
            let prepared = try PreparedConversation(conversation, requireAssistant: false)
            return encodeWithHeaders(system: system(of: prepared), turns: prepared.promptTurns, generation: true).ids
        }
    }

    func system(of prepared: PreparedConversation) -> String {
        prepared.system ?? systemPrompt ?? template.defaultSystemPrompt
    }
}
