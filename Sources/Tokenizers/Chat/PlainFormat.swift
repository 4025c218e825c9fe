/// LLaVA's `plain` format for stage 1 (train.py `preprocess_plain`).
extension ConversationEncoder {
    /// The human and gpt turns of a plain sample (a leading system turn is ignored: plain has
    /// no system prompt).
    func plainTurns(_ conversation: [ConversationTurn], requireCaption: Bool) throws(ConversationIssue) -> (human: String, caption: String?) {
        for (index, turn) in conversation.enumerated() where turn.role == nil { throw .unknownRole(turn.from, turn: index) }
        let turns = conversation.first?.role == .system ? Array(conversation.dropFirst()) : conversation
        guard let human = turns.first, human.role == .user, Self.containsImageTag(human.value) else {
            throw .plainNeedsImageAndCaption
        }
        if !requireCaption { return (human.value, nil) }
        guard turns.count == 2, turns[1].role == .assistant else { throw .plainNeedsImageAndCaption }
        return (human.value, turns[1].value)
    }

    static func containsImageTag(_ text: String) -> Bool {
        !TextPattern.literal([Unicode.Scalar](LLaVAToken.imageTag)).matches(in: [Unicode.Scalar](text)).isEmpty
    }

    /// `preprocess_plain`: input = image + caption + "\n", only the caption and "\n" trained.
    /// QUIRKS reproduced: the human turn is replaced by a single "<image>" (its text and any
    /// further tags are dropped, so a two-image turn yields one image placeholder); the caption
    /// is tokenized as its own chunk after the image (with LLaVA's BOS handling), so a
    /// SentencePiece-style tokenizer gives it a leading "▁".
    func encodePlain(_ conversation: [ConversationTurn]) throws(ConversationIssue) -> EncodedConversation {
        let (_, caption) = try plainTurns(conversation, requireCaption: true)
        let inputIds = tokenizer.llavaTokenizeWithMedia(LLaVAToken.imageTag + caption! + "\n")
        let masked = min(tokenizer.llavaTokenizeWithMedia(LLaVAToken.imageTag).count, inputIds.count)
        var labels = inputIds
        for index in 0 ..< masked { labels[index] = LLaVAToken.ignoreIndex }
        for index in labels.indices where inputIds[index] < 0 { labels[index] = LLaVAToken.ignoreIndex }
        return EncodedConversation(inputIds: inputIds, labels: labels, tokenizationMismatch: nil)
    }
}
