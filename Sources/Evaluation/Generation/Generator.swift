import Foundation
import Imaging
import Models
import Tensors
import Tokenizers

/// A generation problem, as one line.
public struct GenerationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Answers prompts about images with a LLaVA model: the prompt is built by the model's chat
/// template, images are preprocessed as the tower expects and spliced in as in training.
public final class Generator {
    /// The LLaVA model, or nil for a text-only language model.
    public let model: LlavaModel?
    public let llm: LlamaForCausalLM
    public let tokenizer: Tokenizer
    public let encoder: ConversationEncoder
    public let preprocessor: ImagePreprocessor?

    public struct Request {
        /// The conversation so far; `<image>` tags mark where the images go.
        public var conversation: [ConversationTurn]
        public var images: [RGBImage]

        public init(conversation: [ConversationTurn], images: [RGBImage]) {
            self.conversation = conversation
            self.images = images
        }

        /// One user turn: the images first, then the text, as LLaVA's eval scripts do.
        /// A one-turn request; `<image>` tags go first unless the prompt places them itself.
        public init(prompt: String, images: [RGBImage]) {
            let placed = prompt.contains(LLaVAToken.imageTag)
            let tags = placed ? "" : String(repeating: LLaVAToken.imageTag + "\n", count: images.count)
            self.init(conversation: [ConversationTurn(from: "human", value: tags + prompt)], images: images)
        }
    }

    public init(model: LlavaModel, tokenizer: Tokenizer, template: ChatTemplate, preprocessor: ImagePreprocessor) throws {
        self.model = model
        llm = model.llm
        self.tokenizer = tokenizer
        encoder = try ConversationEncoder(tokenizer: tokenizer, template: template)
        self.preprocessor = preprocessor
    }

    /// A text-only generator for a language model.
    public init(llm: LlamaForCausalLM, tokenizer: Tokenizer, template: ChatTemplate) throws {
        model = nil
        self.llm = llm
        self.tokenizer = tokenizer
        encoder = try ConversationEncoder(tokenizer: tokenizer, template: template)
        preprocessor = nil
    }

    /// Token ids that end an answer: the tokenizer's EOS and the template's turn end.
    public var stopIds: Set<Int> {
        var s = Set<Int>()
        if let e = tokenizer.eosTokenId { s.insert(Int(e)) }
        if let e = llm.config.eosTokenId { s.insert(e) }
        for t in ["<|eot_id|>", "<|im_end|>", "<|endoftext|>"] { if let id = tokenizer.tokenId(for: t) { s.insert(Int(id)) } }
        return s
    }

    /// Text-only prompts as left-padded embeddings.
    static func leftPadded(_ ids: [[Int32]], llm: LlamaForCausalLM) throws -> SplicedInputs {
        let b = ids.count, t = ids.map(\.count).max() ?? 0
        var flat: [Int64] = [], mask: [Float] = [], positions: [[Int]] = []
        for row in ids {
            let pad = t - row.count
            flat += [Int64](repeating: 0, count: pad) + row.map(Int64.init)
            mask += [Float](repeating: 0, count: pad) + [Float](repeating: 1, count: row.count)
            positions.append([Int](repeating: 0, count: pad) + Array(0..<row.count))
        }
        let emb = try llm.embed(Tensor(shape: [b, t], int64s: flat))
        return SplicedInputs(embeddings: emb, labels: try Tensor(shape: [b, t], int64s: [Int64](repeating: -100, count: b * t)),
                             attentionMask: try Tensor(shape: [b, t], scalars: mask), tokens: ids.reduce(0) { $0 + $1.count },
                             truncated: 0, positions: positions)
    }

    /// The answers to a batch of requests, decoded and trimmed.
    public func answer(_ requests: [Request], options: GenerationOptions) throws -> [String] {
        guard !requests.isEmpty else { return [] }
        var ids: [[Int32]] = [], images: [Tensor] = [], counts: [Int] = []
        for r in requests {
            ids.append(try encoder.promptIds(for: r.conversation))
            counts.append(r.images.count)
            guard r.images.isEmpty || (model != nil && preprocessor != nil) else {
                throw GenerationError("this is a text-only model; it cannot take images")
            }
            for img in r.images {
                let v = preprocessor!.pixelValues(img)
                images.append(try Tensor(shape: [1, 3, preprocessor!.outputSide, preprocessor!.outputSide], scalars: v))
            }
        }
        let batch = MultimodalBatch(inputIds: ids, labels: ids.map { [Int32](repeating: -100, count: $0.count) },
                                    images: images.isEmpty ? nil : try Tensor.concat(images, dim: 0), imageCounts: counts)
        // `plain` (stage 1) ends an answer with a newline, not an end token: stop there, as
        // LLaVA's conversation for it does (sep "\n").
        let stops = encoder.template == .plain && !options.stop.contains("\n") ? options.stop + ["\n"] : options.stop
        let tok = tokenizer
        let rows: [[Int]] = try noGrad {
            let s: SplicedInputs
            if let model {
                let feats = try batch.images.map { try model.imageFeatures($0) }
                s = try model.splice(batch, features: feats, maxLength: Int.max, padLeft: true)
            } else {
                s = try Generator.leftPadded(batch.inputIds, llm: llm)
            }
            let t = s.embeddings.shape[1]
            let mask = s.attentionMask.scalars
            let maskRows = (0..<requests.count).map { Array(mask[($0 * t)..<(($0 + 1) * t)]) }
            return try Decoding.generate(llm, embeddings: s.embeddings, mask: maskRows, positions: s.positions,
                                         history: ids.map { $0.filter { $0 >= 0 }.map(Int.init) }, eos: stopIds, options: options,
                                         stopCheck: { _, out in
                                             guard !stops.isEmpty else { return false }
                                             let text = tok.decode(out.map(Int32.init), skipSpecialTokens: true)
                                             return stops.contains { text.contains($0) }
                                         })
        }
        return rows.map { row in
            var text = tokenizer.decode(row.map(Int32.init), skipSpecialTokens: true)
            for s in stops { if let r = text.range(of: s) { text = String(text[..<r.lowerBound]) } }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
