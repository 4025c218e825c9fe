import ArgumentParser
import Foundation
import Tensors

/// `vlmtune bench`: speed measurements.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed: training steps on the shared benchmark shapes, kernels (`ops`), the data loader (`data`).",
        subcommands: [Train.self, Ops.self, DataBench.self],
        defaultSubcommand: Train.self)

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train",
            abstract: "Time training steps (or eval forward / generation) on a benchmark shape; prints one JSON line.",
            discussion: "Shapes come from shared/bench/configs.json (tiny, small). Weights are random and seeded; 2 warm-up steps, then the median of --steps timed steps. The JSON line has tokens_per_s, step_s, peak_rss_mb, a time split, est_achieved_gflops, and fma_peak_gflops (this CPU's f32 FMA ceiling, measured before and after the steps) with mfu, their ratio.")

        @Option(help: "Benchmark shape: tiny or small.")
        var config = "tiny"

        @Option(help: "1 (projector), 2 (LoRA + projector), eval (forward only) or generate (batch 1, KV cache).")
        var stage = "1"

        @Option(help: "Timed steps.")
        var steps = 5

        @Option(help: "Untimed warm-up steps.")
        var warmup = 2

        @Option(help: "Path of configs.json (default: shared/bench/configs.json or ../shared/bench/configs.json).")
        var configs: String?

        @Option(help: "Storage of the frozen LLM weights: float32 or bfloat16 (as the recipe key model.llm.dtype).")
        var llmDtype = "float32"

        func run() throws {
            try reportingErrors {
                let (cfg, _) = try BenchConfig.load(config, path: configs)
                guard ["float32", "bfloat16"].contains(llmDtype) else { throw CLIError("--llm-dtype must be float32 or bfloat16, got \(llmDtype)") }
                let result = try TrainBench(config: cfg, stage: stage, steps: steps, warmup: warmup, llmBF16: llmDtype == "bfloat16").run()
                let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
                print(String(data: data, encoding: .utf8)!)
            }
        }
    }

    struct Ops: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kernel throughput at the `small` shapes: GEMM vs raw BLAS, memory-bound kernels vs memcpy, attention.")

        @Option(help: "Timed repetitions per measurement (median reported).")
        var reps = 7

        @Flag(help: "Print one JSON line with every row instead of the table.")
        var json = false

        func run() throws {
            let rows = try OpsBench(reps: reps).run(log: { if !json { print($0) } })
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys]
                print(String(data: try enc.encode(rows), encoding: .utf8)!)
            }
        }
    }
}
