import Workflows
import ArgumentParser
import Foundation
import Tensors
import Training

/// `vlmtune train RECIPE [key.path=value ...] [--resume auto|never|DIR]`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Run one training stage as a recipe describes (docs/RECIPES.md).",
        discussion: """
        Writes the run folder (default Checkpoints/<recipe name>/): checkpoints/step-NNNNNNN/ (trainable weights, \
        optimizer state, state.json, the resolved recipe, and the stage's own files: mm_projector.safetensors, \
        adapter/ in PEFT format, ...), metrics.jsonl, curves.png and TensorBoard events. Ctrl-C saves a checkpoint \
        and stops; --resume auto continues from the newest one.
        """)

    @Argument(help: "The recipe (YAML).") var recipe: String
    @Argument(help: "Overrides, key.path=value (e.g. optim.lr=1e-4 train.max_steps=100).") var overrides: [String] = []
    @Option(help: "auto: continue from the run's newest checkpoint if there is one; never: start over; or a checkpoint folder.")
    var resume = "auto"

    func run() throws {
        try reportingErrors {
            let r = try RecipeLoader.load(recipe, overrides: overrides)
            let runFolder = r.string("checkpoint.dir") ?? "Checkpoints/\(r.name)"
            let session = try TrainingSession(recipe: r, runFolder: runFolder)
            try session.resume(resume)
            Interrupt.install()
            let summary = try session.trainer.run()
            try session.finish(summary)
            if Profile.isEnabled { printError(Profile.report()) }
            print(String(format: "%@: %d steps in %.1f s, loss %.4f -> %.4f%@; checkpoint %@", r.name, summary.steps, summary.seconds,
                         summary.firstLoss ?? .nan, summary.lastLoss ?? .nan, summary.interrupted ? " (interrupted)" : "",
                         summary.checkpoint ?? "none"))
        }
    }
}

