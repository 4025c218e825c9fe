import Foundation
import Tokenizers

/// The demo's tokenizer: a byte-level BPE trained on the demo's own text, saved as a
/// Hugging Face tokenizer folder (tokenizer.json + tokenizer_config.json).
public enum DemoTokenizer {
    public static let specialTokens = ["<s>", "</s>", "<unk>", "<pad>"]

    /// Trains on every turn of the given LLaVA JSON files plus the template's fixed text, as
    /// often as the training sequences hold it: the system prompt once per conversation, the
    /// role names once per turn. Weighted so, the vicuna_v1 wrapper becomes a few tokens
    /// instead of ~80 byte-sized ones, and a conversation of eight rounds fits 256 tokens.
    public static func build(from jsonFiles: [String], vocabSize: Int, to folder: String) throws -> Tokenizer {
        var texts: [String] = []
        for file in jsonFiles {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            for item in (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? [] {
                texts.append(ChatTemplate.vicunaV1.defaultSystemPrompt + " USER:")
                for turn in item["conversations"] as? [[String: String]] ?? [] {
                    texts.append((turn["value"] ?? "").replacingOccurrences(of: "<image>", with: ""))
                    texts.append(turn["from"] == "gpt" ? " ASSISTANT:" : "USER:")
                }
            }
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let json = BPETrainer.train(texts: texts, vocabSize: vocabSize, specialTokens: specialTokens)
        try json.write(to: URL(fileURLWithPath: folder + "/tokenizer.json"))
        let config: [String: Any] = [
            "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
            "pad_token": "<pad>", "clean_up_tokenization_spaces": false, "model_max_length": 512,
            // LLaVA's preprocess_v1 subtracts a token per round for non-legacy sentencepiece
            // tokenizers; a byte-level BPE tokenizes rounds like a legacy one, so the counts
            // only line up (no "tokenization mismatch") with legacy set.
            "legacy": true,
        ]
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: folder + "/tokenizer_config.json"))
        return try Tokenizer(folder: URL(fileURLWithPath: folder))
    }
}
