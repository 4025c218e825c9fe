import ArgumentParser
import Foundation
import Tensors

/// The `vlmtune` command line.
public struct VLMTune: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vlmtune",
        abstract: "Train LLaVA-style vision-language models on the CPU.",
        subcommands: [DemoCommand.self, DataCommand.self, TrainCommand.self, PlanCommand.self, RecipeCommand.self, EvalCommand.self, GenerateCommand.self, ChatCommand.self, ExportCommand.self, Tokenize.self, Logits.self, Bench.self])

    public init() {}
}

/// Writes one line to stderr.
func printError(_ line: String) {
    FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
}
