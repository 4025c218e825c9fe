import ArgumentParser
import Foundation
import Training

/// `vlmtune recipe`: the recipe keys, and a recipe as the trainer resolves it.
struct RecipeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipe",
        abstract: "Recipe keys with their defaults (docs/RECIPES.md is generated from them), and resolved recipes.",
        subcommands: [Keys.self, Show.self])

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every recipe key, its type, default and meaning (Markdown).")
        func run() throws { print(RecipeSchema.markdownTable, terminator: "") }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a recipe with extends and overrides applied and every default filled in, as a run saves it.")
        @Argument(help: "The recipe (YAML).") var recipe: String
        @Argument(help: "Overrides, key.path=value.") var overrides: [String] = []
        func run() throws {
            try reportingErrors {
                print(try RecipeLoader.load(recipe, overrides: overrides).resolvedYAML, terminator: "")
            }
        }
    }
}
