import ArgumentParser
import Evaluation
import Foundation
import Imaging
import Tokenizers
import Workflows

/// Options shared by `generate` and `chat`.
struct ModelOptions: ParsableArguments {
    @Option(help: "A training checkpoint or run folder, a Hugging Face llava folder, or a Hugging Face LLM folder.") var model: String
    @Option(help: "PEFT LoRA adapter folder for the language model.") var adapter: String?
    @Option(help: "LLaVA projector weights (mm_projector.safetensors) to put between --vision and an LLM --model.") var projector: String?
    @Option(help: "Vision tower folder, with --projector.") var vision: String?
    @Option(help: "Tokenizer folder (default: the model's).") var tokenizer: String?
    @Option(help: "Chat template: vicuna_v1, llama3, chatml, plain (default: from the model).") var template: String?
    @Option(help: "Longest answer in tokens.") var maxNewTokens = 128
    @Option(help: "Sampling temperature (0: greedy).") var temperature: Float = 0
    @Option(help: "Keep the k most likely tokens (0: all).") var topK = 0
    @Option(help: "Nucleus sampling threshold.") var topP: Float = 1
    @Option(help: "Repetition penalty (1: none).") var repetitionPenalty: Float = 1
    @Option(help: "Stop at this string (repeatable).") var stop: [String] = []
    @Option(help: "Seed for sampling.") var seed: UInt64 = 0

    func generator() throws -> Generator {
        try GeneratorLoader.load(.init(model: model, adapter: adapter, projector: projector, vision: vision, tokenizer: tokenizer, template: template))
    }

    var options: GenerationOptions {
        GenerationOptions(maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP,
                          repetitionPenalty: repetitionPenalty, stop: stop, seed: seed)
    }
}

/// `vlmtune generate`: answer one prompt.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Answer one prompt about an image (or text only); `chat` is the interactive form.")

    @OptionGroup var model: ModelOptions
    @Option(help: "Image file (repeatable).") var image: [String] = []
    @Option(help: "The prompt.") var prompt: String

    func run() throws {
        try reportingErrors {
            let g = try model.generator()
            let images = try image.map { try RGBImage(contentsOf: URL(fileURLWithPath: $0)) }
            let answer = try g.answer([Generator.Request(prompt: prompt, images: images)], options: model.options)[0]
            print(answer)
        }
    }
}

/// `vlmtune chat`: an interactive conversation.
struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "Talk to a model: type a message; /image PATH attaches an image to the next one; /reset; /quit.")

    @OptionGroup var model: ModelOptions

    func run() throws {
        try reportingErrors {
            let g = try model.generator()
            var turns: [ConversationTurn] = [], images: [RGBImage] = [], pending: [RGBImage] = []
            print("chat: /image PATH attaches an image, /reset starts over, /quit ends.")
            while true {
                print("> ", terminator: "")
                fflush(stdout)
                guard let line = readLine() else { break }
                let text = line.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                if text == "/quit" || text == "/exit" { break }
                if text == "/reset" { turns = []; images = []; pending = []; print("(history cleared)"); continue }
                if text.hasPrefix("/image ") {
                    let path = String(text.dropFirst(7)).trimmingCharacters(in: .whitespaces)
                    do {
                        pending.append(try RGBImage(contentsOf: URL(fileURLWithPath: path)))
                        print("(image attached)")
                    } catch { printError("error: \(error)") }
                    continue
                }
                let tags = String(repeating: LLaVAToken.imageTag + "\n", count: pending.count)
                turns.append(ConversationTurn(from: "human", value: tags + text))
                images += pending
                pending = []
                do {
                    let answer = try g.answer([Generator.Request(conversation: turns, images: images)], options: model.options)[0]
                    print(answer)
                    turns.append(ConversationTurn(from: "gpt", value: answer))
                } catch {
                    printError("error: \(error)")
                    turns.removeLast()
                }
            }
        }
    }
}
