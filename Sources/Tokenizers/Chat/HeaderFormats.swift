/// The `llama3` and `chatml` formats: every message is a role header, the message text and an
/// end token, as the models' own chat templates render them:
///
///     llama3: <|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>
///             <|start_header_id|>user<|end_header_id|>\n\n{text, trimmed}<|eot_id|> ...
///     chatml: <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{text}<|im_end|>\n ...
///
/// This is the text LLaVA-NeXT builds in `preprocess_llama3` / `preprocess_qwen` (one
/// `apply_chat_template` call per message, the system prompt always present). The labels
/// follow vlmtune's contract rather than LLaVA-NeXT's: only each assistant answer and its end
/// token (`<|eot_id|>` / `<|im_end|>`) are trained. LLaVA-NeXT also trains the assistant
/// header and unmasks every header, end token, BOS and newline token anywhere in the sample
/// (its `unmask_tokens`), including in system and user turns; that is not reproduced.
extension ConversationEncoder {
    /// One rendered message: `header` + `body` + `end` + `trailer`.
    struct HeaderBlock {
        var header: String
        var body: String = ""
        var end: String = ""
        var trailer: String = ""
        var trained = false

        var text: String { header + body + end + trailer }
    }

    func headerBlocks(system: String, turns: [String], generation: Bool) -> [HeaderBlock] {
        var blocks: [HeaderBlock] = []
        let llama = template == .llama3
        func message(_ role: String, _ content: String, trained: Bool) -> HeaderBlock {
            llama
                ? HeaderBlock(header: "<|start_header_id|>\(role)<|end_header_id|>\n\n", body: pythonStrip(content),
                              end: "<|eot_id|>", trained: trained)
                : HeaderBlock(header: "<|im_start|>\(role)\n", body: content, end: "<|im_end|>", trailer: "\n", trained: trained)
        }
        if llama { blocks.append(HeaderBlock(header: "<|begin_of_text|>")) }
        blocks.append(message("system", system, trained: false))
        for (index, text) in turns.enumerated() {
            blocks.append(message(index % 2 == 0 ? "user" : "assistant", text, trained: index % 2 == 1))
        }
        if generation {
            blocks.append(HeaderBlock(header: llama ? "<|start_header_id|>assistant<|end_header_id|>\n\n" : "<|im_start|>assistant\n"))
        }
        return blocks
    }

    /// Tokenizes block by block (added tokens split the text at block edges, so this equals
    /// tokenizing the whole text) with media tags as placeholders.
    ///
    /// The header and body of a message share one text segment, so they are tokenized together;
    /// the tokens the header alone produces are masked, and when the two tokenizations part
    /// (a token spanning the header's end, e.g. "\n" + a body starting with "\n"), the first
    /// differing token is masked too: a token is trained only if it starts inside the body.
    func encodeWithHeaders(system: String, turns: [String], generation: Bool) -> (ids: [Int32], labels: [Int32]) {
        var ids: [Int32] = [], labels: [Int32] = []
        func append(_ piece: [Int32], trained: Bool) {
            ids.append(contentsOf: piece)
            labels.append(contentsOf: piece.map { trained && $0 >= 0 ? $0 : LLaVAToken.ignoreIndex })
        }
        for block in headerBlocks(system: system, turns: turns, generation: generation) {
            let headerIds = tokenizer.tokenizeWithMedia(block.header)
            let joint = block.body.isEmpty ? headerIds : tokenizer.tokenizeWithMedia(block.header + block.body)
            var common = 0
            while common < headerIds.count, common < joint.count, headerIds[common] == joint[common] { common += 1 }
            let headerLength = common == headerIds.count ? common : min(common + 1, joint.count)
            append(Array(joint[..<headerLength]), trained: false)
            append(Array(joint[headerLength...]), trained: block.trained)
            append(tokenizer.tokenizeWithMedia(block.end), trained: block.trained)
            append(tokenizer.tokenizeWithMedia(block.trailer), trained: false)
        }
        return (ids, labels)
    }
}
