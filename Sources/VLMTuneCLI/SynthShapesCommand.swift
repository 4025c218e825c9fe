import ArgumentParser
import Workflows
import Foundation

extension DataCommand {
    struct SynthShapes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "synth-shapes",
            abstract: "Write the synthetic shapes world: PNG images, LLaVA JSON (captions, instructions, text) and held-out eval sets.")

        @Option(help: "Output folder.") var out: String
        @Option(help: "Training images.") var count = 3000
        @Option(help: "Held-out evaluation images.") var evalCount = 300
        @Option(help: "Seed.") var seed: UInt64 = 0

        func run() throws {
            try reportingErrors {
                let s = try ShapesDataset(out: out, trainCount: count, evalCount: evalCount, seed: seed).write()
                print("wrote \(s.trainImages) training and \(s.evalImages) held-out images to \(out); eval items: "
                      + s.evalItems.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
        }
    }
}
