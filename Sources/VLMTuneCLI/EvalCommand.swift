import ArgumentParser
import Charts
import DataPipeline
import Evaluation
import Foundation
import Imaging
import Tensors
import Tokenizers
import Training
import Workflows

/// `vlmtune eval RECIPE | --checkpoint DIR ...`: score checkpoints on eval sets.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score checkpoints on eval sets (JSONL): answers.jsonl, report.json, report.md; a comparison over several checkpoints.",
        discussion: """
        With a RECIPE, its run folder's checkpoints (the newest, or all with --all) are scored on the recipe's eval.sets. \
        With --checkpoint (repeatable; a step folder or a run folder), on --set files. Results go to <run>/eval/<step>/<set>/ \
        or --out; with several checkpoints also comparison.md/json and comparison.png.
        """)

    @Argument(help: "A recipe (its run folder and eval.sets are used).") var recipe: String?
    @Option(name: .customLong("checkpoint"), help: "A checkpoint (step folder) or run folder; repeatable.") var checkpoints: [String] = []
    @Option(name: .customLong("set"), help: "An eval set (JSONL); repeatable. Default: the recipe's eval.sets.") var sets: [String] = []
    @Option(help: "Folder image paths are relative to (default: each set's folder).") var images: String?
    @Option(help: "Output folder (default: <run>/eval).") var out: String?
    @Option(help: "Chat template of the prompts (default: the training data's, vicuna_v1 otherwise).") var template: String?
    @Option(help: "Longest answer in tokens.") var maxNewTokens: Int?
    @Option(help: "Score at most this many items per set.") var limit: Int?
    @Option(help: "Prompts generated together.") var batchSize = 16
    @Flag(help: "Score every checkpoint of the run, not only the newest.") var all = false
    @Option(help: "A shard folder: also report each checkpoint's validation loss and perplexity on it.") var shards: String?

    func run() throws {
        try reportingErrors {
            var folders: [String] = []
            var setFiles = sets
            var recipeValue: Recipe?
            if let recipe {
                let r = try RecipeLoader.load(recipe)
                recipeValue = r
                let run = r.string("checkpoint.dir") ?? "Checkpoints/\(r.name)"
                let store = CheckpointStore(runFolder: run, keepLast: 0)
                if all {
                    let names = ((try? FileManager.default.contentsOfDirectory(atPath: store.folder)) ?? []).filter { $0.hasPrefix("step-") }.sorted()
                    folders = names.map { store.folder + "/" + $0 }.filter(CheckpointStore.isComplete)
                } else if let latest = store.latest() {
                    folders = [latest]
                }
                if folders.isEmpty { throw CLIError("no checkpoint yet", at: run) }
                if setFiles.isEmpty { setFiles = r.strings("eval.sets") }
            }
            folders += try checkpoints.map(CheckpointModels.resolve)
            guard !folders.isEmpty else { throw CLIError("give a recipe or --checkpoint") }
            guard !setFiles.isEmpty || shards != nil else { throw CLIError("no eval set: give --set, --shards or eval.sets in the recipe") }
            var results: [String: [CheckpointResult]] = [:]
            for folder in folders {
                let r = try CheckpointModels.recipe(of: folder)
                if let shards {
                    let (task, kind, pre) = try CheckpointModels.task(folder)
                    let micro = r.int("train.micro_batch") ?? 4
                    let source = try ShardBatchSource(folder: shards, seed: 0, shuffle: false, kind: kind, microBatch: micro, megabatch: micro,
                                                      groupByModality: false, prefetch: 2, preprocessor: pre)
                    let loss = try CheckpointModels.validationLoss(task, source: source, microBatch: micro)
                    print(String(format: "%@ validation on %@: loss %.4f, perplexity %.3f (%d samples)", (folder as NSString).lastPathComponent,
                                 shards, loss, Foundation.exp(loss), source.samplesPerEpoch))
                }
                if setFiles.isEmpty { continue }
                let state = try? JSONDecoder().decode(TrainingState.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/state.json")))
                let t = try ChatTemplate(name: template ?? CheckpointModels.evalTemplate(of: r))
                let generator = try CheckpointModels.generator(folder, template: t)
                let options = GenerationOptions(maxNewTokens: maxNewTokens ?? recipeValue?.int("eval.max_new_tokens") ?? r.int("eval.max_new_tokens") ?? 32)
                let runner = EvalRunner(generator: generator, options: options, batchSize: batchSize, limit: limit ?? r.int("eval.limit"))
                let name = (folder as NSString).lastPathComponent
                let dest = (out ?? ((folder as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent + "/eval") + "/" + name
                for set in setFiles {
                    let progress = Progress(total: 1, label: "eval \(name) \((set as NSString).lastPathComponent)")
                    let res = try runner.run(set: set, imageFolder: images ?? r.string("eval.images"), outFolder: dest, modelID: name) { done, total in
                        progress.total = total
                        progress.update(done: done, detail: "of \(total) items", force: done == total)
                    }
                    let skipped = res.report.counts.skipped.values.reduce(0, +) + res.failed.values.reduce(0, +)
                    print("\(name) \(res.set): \(res.report.counts.answered) answered\(skipped > 0 ? ", \(skipped) skipped" : "") -> \(dest)/\(res.set)/report.md")
                    results[res.set, default: []].append(CheckpointResult(name: name, step: state?.step ?? 0, report: res.report))
                }
            }
            if folders.count > 1 {
                let base = out ?? ((folders[0] as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent + "/eval"
                for (set, list) in results.sorted(by: { $0.key < $1.key }) {
                    let dest = base + "/comparison/" + set
                    try CheckpointComparison.write(list, to: URL(fileURLWithPath: dest))
                    try Self.plot(list, to: dest + "/comparison.png")
                    print("comparison of \(set): \(dest)/comparison.md, \(dest)/comparison.png")
                }
            }
        }
    }

    /// One panel per metric against step.
    static func plot(_ results: [CheckpointResult], to path: String) throws {
        let series = CheckpointComparison.series(results).filter { $0.steps.count > 1 }
        guard !series.isEmpty else { return }
        let charts = series.prefix(12).map { s in
            LineChart(title: s.metric, xLabel: "step", series: [.init(name: s.metric, points: zip(s.steps, s.values).map { (Double($0), $1) })])
        }
        let canvas = LineChart.render(Array(charts), width: 800, panelHeight: 220)
        try RGBImage(width: canvas.width, height: canvas.height, pixels: canvas.pixels).pngData().write(to: URL(fileURLWithPath: path))
    }
}
