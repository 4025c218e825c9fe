import DataPipeline
import Evaluation
import Foundation
import Imaging
import Models
import Shards
import Tensors
import Tokenizers
import Training

/// Scores a training run while it trains and at its end, as the recipe's `data.eval` and
/// `eval.*` keys ask: the validation loss (and perplexity) on a shard folder, and the eval
/// sets answered by the live model (answers and reports under `<run>/eval/step-N/<set>/`).
/// Headline metrics go into metrics.jsonl and TensorBoard as `eval/<name>`.
final class RunEvaluator {
    let recipe: Recipe
    let runFolder: String
    let task: TrainingTask
    let validation: ShardBatchSource?
    let sets: [String]
    let microBatch: Int

    init?(recipe r: Recipe, runFolder: String, task: TrainingTask, kind: ShardBatchSource.Kind,
          preprocessor: ImagePreprocessor?) throws {
        let sets = r.strings("eval.sets")
        let evalData = r.string("data.eval")
        guard evalData != nil || !sets.isEmpty else { return nil }
        if !sets.isEmpty && !(task is LlavaTask) {
            throw RecipeError("eval.sets needs a LLaVA stage (align, instruct, full); stage \(r.stage.rawValue) has no generation", at: r.origin("eval.sets"))
        }
        for s in sets where !FileManager.default.fileExists(atPath: s) {
            throw RecipeError("eval set not found: \(s)", at: r.origin("eval.sets"))
        }
        recipe = r
        self.runFolder = runFolder
        self.task = task
        self.sets = sets
        let micro = r.int("train.micro_batch") ?? 4
        microBatch = micro
        validation = try evalData.map {
            try ShardBatchSource(folder: $0, seed: r.seed, shuffle: false, kind: kind, microBatch: micro, megabatch: micro,
                                 groupByModality: false, prefetch: 0, preprocessor: preprocessor)
        }
    }

    /// Evaluates at `step`; returns the scalars it recorded.
    func evaluate(step: Int, trainer: Trainer) throws -> [(String, Double)] {
        task.setTraining(false)
        defer { task.setTraining(true) }
        var values: [(String, Double)] = []
        if let validation {
            let loss = try CheckpointModels.validationLoss(task, source: validation, microBatch: microBatch)
            values.append(("eval/loss", loss))
            values.append(("eval/perplexity", Foundation.exp(loss)))
            Log.info(String(format: "step %d: validation loss %.4f (perplexity %.3f) on %d samples", step, loss, Foundation.exp(loss), validation.samplesPerEpoch))
        }
        if !sets.isEmpty, let llava = task as? LlavaTask {
            let tokenizer = try CheckpointModels.tokenizer(recipe)
            let template = try ChatTemplate(name: CheckpointModels.evalTemplate(of: recipe))
            let generator = try Generator(model: llava.model, tokenizer: tokenizer, template: template,
                                          preprocessor: CheckpointModels.preprocessor(recipe, tower: llava.model.vision.config))
            let runner = EvalRunner(generator: generator, options: GenerationOptions(maxNewTokens: recipe.int("eval.max_new_tokens") ?? 32),
                                    batchSize: 16, limit: recipe.int("eval.limit"))
            let out = runFolder + "/eval/" + String(format: "step-%07d", step)
            for set in sets {
                let result = try runner.run(set: set, imageFolder: recipe.string("eval.images"), outFolder: out, modelID: String(format: "step-%07d", step))
                for m in result.report.namedMetrics { values.append(("eval/" + m.name, m.value)) }
            }
            Log.info("step \(step): eval sets scored, reports in \(out)")
        }
        try trainer.recordMetrics(step: step, values: values)
        return values
    }
}
