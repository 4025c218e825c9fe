/// LLaVA-1.5's `vicuna_v1` format (conversation.py `conv_vicuna_v1`, SeparatorStyle.TWO) and
/// its labels (train.py `preprocess_v1`).
extension ConversationEncoder {
    private static let roles = ("USER", "ASSISTANT")
    private static let separator = " "
    private static let endOfTurn = "</s>"

    /// `Conversation.get_prompt()`: system + " " + "USER: q" + " " + "ASSISTANT: a" + "</s>" + ...
    /// QUIRK reproduced: an empty message renders as "ROLE:" with no separator after it; with
    /// `generation` the prompt ends with "ASSISTANT:".
    func vicunaPrompt(system: String, turns: [String], generation: Bool) -> String {
        var text = system + Self.separator
        var messages: [(String, String?)] = turns.enumerated().map { index, value in
            (index % 2 == 0 ? Self.roles.0 : Self.roles.1, value)
        }
        if generation { messages.append((Self.roles.1, nil)) }
        for (index, (role, message)) in messages.enumerated() {
            if let message, !message.isEmpty {
                text += role + ": " + message + (index % 2 == 0 ? Self.separator : Self.endOfTurn)
            } else {
                text += role + ":"
            }
        }
        return text
    }

    /// `preprocess_v1`. The whole prompt is tokenized with `tokenizer_image_token`; labels are
    /// then found by re-tokenizing pieces of the prompt text. QUIRKS reproduced on purpose:
    /// - the text is cut into rounds at every "</s>" (also one inside an answer) and each round
    ///   into instruction and answer at " ASSISTANT: "; a piece that does not split in two
    ///   ends the labelling;
    /// - a round's length is its own token count (its BOS standing in for the "</s>" cut off);
    ///   the instruction's is its token count minus 2 (BOS, and the lone "▁" a trailing space
    ///   becomes in Llama tokenizers), so the first answer token may stay masked or the last
    ///   instruction token be trained, depending on the tokenizer;
    /// - with a non-legacy tokenizer (`legacy: false` in tokenizer_config.json; LLaVA's
    ///   `not tokenizer.legacy and tokenizers >= 0.14`) every round after the first counts one
    ///   token less in both lengths;
    /// - the first position is always masked (`cur_len = 1`), BOS or not;
    /// - when the summed round lengths differ from the number of non-pad tokens (LLaVA sets pad
    ///   to unk; without an unk token every token counts), the whole sample is masked and
    ///   `tokenizationMismatch` is set;
    /// - LLaVA's truncation to `model_max_length` is not applied here (the converter handles
    ///   length), so its "only when shorter than model_max_length" condition is always met.
    func encodeVicuna(_ prepared: PreparedConversation) -> EncodedConversation {
        let text = vicunaPrompt(system: system(of: prepared), turns: prepared.turns, generation: false)
        let inputIds = tokenizer.llavaTokenizeWithMedia(text)
        var labels = inputIds
        func mask(_ start: Int, _ stop: Int?) {
            for index in pythonSliceRange(start, stop, count: labels.count) { labels[index] = LLaVAToken.ignoreIndex }
        }
        let pad = tokenizer.unkTokenId
        let totalLength = pad.map { pad in labels.lazy.filter { $0 != pad }.count } ?? labels.count
        let instructionEnd = Self.separator + Self.roles.1 + ": "
        var currentLength = 1
        mask(0, currentLength)
        for (index, round) in pythonSplit(text, separator: Self.endOfTurn).enumerated() {
            if round.isEmpty { break }
            var parts = pythonSplit(round, separator: instructionEnd)
            if parts.count != 2 { break }
            parts[0] += instructionEnd
            var roundLength = tokenizer.llavaTokenizeWithMedia(round).count
            var instructionLength = tokenizer.llavaTokenizeWithMedia(parts[0]).count - 2
            if index != 0 && !tokenizer.legacy {
                roundLength -= 1
                instructionLength -= 1
            }
            mask(currentLength, currentLength + instructionLength)
            currentLength += roundLength
        }
        mask(currentLength, nil)
        var mismatch: TokenizationMismatch?
        if currentLength != totalLength {
            mismatch = TokenizationMismatch(countedLength: currentLength, tokenCount: totalLength)
            labels = Array(repeating: LLaVAToken.ignoreIndex, count: labels.count)
        }
        for index in labels.indices where inputIds[index] < 0 { labels[index] = LLaVAToken.ignoreIndex }
        return EncodedConversation(inputIds: inputIds, labels: labels, tokenizationMismatch: mismatch)
    }
}
