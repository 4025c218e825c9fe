import ArgumentParser
import Foundation
import Workflows

/// `vlmtune demo`: the built-in end-to-end run.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The built-in end-to-end run: make the shapes world, pretrain the tiny frozen parts, stage 1, stage 2, evaluate, print the report.")

    @Option(help: "Output folder.") var out = "Checkpoints/demo"
    @Option(help: "Folder of the demo recipes.") var recipes = "Recipes/demo"
    @Option(help: "Seed of the world and of every stage.") var seed: UInt64 = 0
    @Flag(help: "The fast variant (fewer images and steps), as the end-to-end test runs it.") var quick = false
    @Option(help: "Stop after a phase (shards, lm, clip, stage1), reusing nothing: for experiments with Recipes/demo.") var stopAfter: String?

    func run() throws {
        try reportingErrors {
            var settings = quick ? DemoPipeline.Settings.quick(out: out, recipes: recipes) : DemoPipeline.Settings(out: out, recipes: recipes)
            settings.seed = seed
            settings.stopAfter = stopAfter
            let report = try DemoPipeline(settings: settings, log: { print($0); fflush(stdout) }).run()
            let text = DemoSummary.markdown(report)
            try text.write(toFile: out + "/summary.md", atomically: true, encoding: .utf8)
            print("")
            print(text)
        }
    }
}

enum DemoSummary {
    static func pct(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }

    static func markdown(_ r: DemoPipeline.Report) -> String {
        var s = "| task | metric | chance | after stage 1 | after stage 2 |\n|---|---|---|---|---|\n"
        for row in r.rows {
            s += "| \(row.task) | \(row.metric) | \(pct(row.chance)) | \(pct(row.afterStage1)) | \(pct(row.afterStage2)) |\n"
        }
        s += String(format: "| CLIP zero-shot (12 classes) | top-1 | %.3f | %.3f | |\n", r.zeroShotChance, r.zeroShot)
        s += "\n| phase | seconds | loss (first -> last) |\n|---|---|---|\n"
        for p in r.phases {
            let loss = p.firstLoss.map { String(format: "%.3f -> %.3f", $0, p.lastLoss ?? .nan) } ?? ""
            s += String(format: "| %@ | %.1f | %@ |\n", p.name, p.seconds, loss)
        }
        s += String(format: "| total | %.1f | |\n", r.seconds)
        s += "\nreports: " + r.reports.map { $0 + "/*/report.md" }.joined(separator: ", ") + "\n"
        s += "curves: " + r.curves.joined(separator: ", ") + "\n"
        return s
    }
}
