import ArgumentParser
import Foundation
import Training
import Workflows

/// `vlmtune plan`: a dry run of a recipe (DESIGN.md section 1).
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Dry run of a recipe: parameters (total/trainable), memory estimate, FLOPs per step, data counts, estimated time.",
        discussion: """
        Nothing is loaded but configs and the shard index, so a 7B recipe plans in a second. \
        Parameter counts are exact; memory and time are estimates (time: a 1024^3 sgemm is \
        timed here and a step is assumed to run at half that rate, see docs/PERFORMANCE.md).

        Example:
          vlmtune plan Recipes/llava-1.5/stage2-7b-lora.yaml train.micro_batch=2
        """)

    @Argument(help: "The recipe (YAML).") var recipe: String
    @Argument(help: "Overrides, key.path=value.") var overrides: [String] = []

    func run() throws {
        try reportingErrors {
            let r = try RecipeLoader.load(recipe, overrides: overrides)
            print(try TrainingPlan(recipe: r).report)
        }
    }
}
