import ArgumentParser
import Foundation
import Tokenizers

/// `vlmtune tokenize`: a tokenizer.json folder applied to text, a conversation, or ids, with
/// output meant for comparing against HF `tokenizers` / transformers (DESIGN.md section 1).
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode text or a LLaVA conversation to token ids, or decode ids to text.",
        discussion: """
        Encoding prints the ids as a compact JSON array, as HF tokenizers' encode(text).ids gives \
        them (the post-processor's special tokens included unless --no-special). --file takes the \
        file's exact bytes as the text. With --template (plain, vicuna_v1, llama3, chatml) the \
        text is one LLaVA "conversations" JSON array (or a sample object holding one) and the \
        output is {"input_ids":[..],"labels":[..]} as training sees it (-200 per image, -100 \
        where no loss is taken). --decode writes the text of --ids to stdout exactly, without a \
        newline.

        Examples:
          vlmtune tokenize --tokenizer DIR --text "Hello world"
          vlmtune tokenize --tokenizer DIR --template vicuna_v1 --file sample.json
          vlmtune tokenize --tokenizer DIR --decode --ids 128000,9906 --skip-special
        """)

    @Option(help: "Folder holding tokenizer.json (and optionally tokenizer_config.json).")
    var tokenizer: String

    @Option(help: "The text to encode.")
    var text: String?

    @Option(help: "A file whose exact bytes (UTF-8) are the text to encode.")
    var file: String?

    @Flag(help: "Leave out the special tokens the post-processor adds (BOS and the like).")
    var noSpecial = false

    @Option(help: "Chat template for encoding a conversation: plain, vicuna_v1, llama3 or chatml.")
    var template: String?

    @Flag(help: "Decode --ids to text instead of encoding.")
    var decode = false

    @Option(help: "Comma-separated token ids to decode, e.g. 1,2,3.")
    var ids: String?

    @Flag(help: "With --decode: leave special tokens out of the text.")
    var skipSpecial = false

    func validate() throws {
        if decode {
            guard ids != nil else { throw ValidationError("--decode needs --ids") }
            guard text == nil, file == nil, template == nil, !noSpecial else {
                throw ValidationError("--decode takes only --ids and --skip-special")
            }
        } else {
            guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text and --file (or --decode --ids)") }
            guard ids == nil, !skipSpecial else { throw ValidationError("--ids and --skip-special go with --decode") }
            guard template == nil || !noSpecial else { throw ValidationError("--no-special does not apply to --template") }
        }
    }

    func run() throws {
        try reportingErrors {
            let loaded = try Tokenizer(folder: URL(fileURLWithPath: tokenizer))
            if decode {
                let text = loaded.decode(try parseIds(ids ?? ""), skipSpecialTokens: skipSpecial)
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            let input = try inputText()
            if let template {
                let chatTemplate: ChatTemplate, encoder: ConversationEncoder
                do {
                    chatTemplate = try ChatTemplate(name: template)
                } catch {
                    throw CLIError("\(error)", at: "--template")
                }
                do {
                    encoder = try ConversationEncoder(tokenizer: loaded, template: chatTemplate)
                } catch {
                    throw CLIError("\(error)", at: tokenizer)
                }
                let source = file ?? "--text"
                let conversation = try ConversationTurn.parseList(Data(input.utf8), source: source)
                let sample: EncodedConversation
                do {
                    sample = try encoder.encode(conversation)
                } catch {
                    throw CLIError("conversation cannot be encoded (\(error))", at: source)
                }
                print("{\"input_ids\":\(jsonArray(sample.inputIds)),\"labels\":\(jsonArray(sample.labels))}")
            } else {
                print(jsonArray(loaded.encode(input, addSpecialTokens: !noSpecial)))
            }
        }
    }

    private func inputText() throws -> String {
        if let text { return text }
        let path = file!
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("file not found", at: path) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("cannot read file (\(error.localizedDescription))", at: path)
        }
        // Decoded as is (a byte-order mark stays part of the text); invalid UTF-8 is an error.
        let text = String(decoding: data, as: UTF8.self)
        guard Data(text.utf8) == data else { throw CLIError("file is not valid UTF-8", at: path) }
        return text
    }

    private func parseIds(_ list: String) throws -> [Int32] {
        try list.split(separator: ",").map { field in
            let trimmed = field.trimmingCharacters(in: .whitespaces)
            guard let id = Int32(trimmed), id >= 0 else { throw CLIError("invalid token id \"\(trimmed)\"", at: "--ids") }
            return id
        }
    }

    private func jsonArray(_ values: [Int32]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }
}
