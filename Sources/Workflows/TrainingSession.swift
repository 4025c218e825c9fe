import DataPipeline
import Foundation
import Imaging
import Layers
import Models
import Tensors
import Tokenizers
import Training

/// Everything a `train` run needs, built from a recipe: model and task, data source,
/// trainer; and what happens after the loop (curves).
public final class TrainingSession {
    public let recipe: Recipe
    public let runFolder: String
    public let task: TrainingTask
    public let source: BatchSource
    public let trainer: Trainer
    /// Validation loss and eval sets, when the recipe asks for them.
    let evaluator: RunEvaluator?

    public init(recipe r: Recipe, runFolder: String) throws {
        recipe = r
        self.runFolder = runFolder
        let micro = r.int("train.micro_batch") ?? 4, global = r.int("train.global_batch") ?? 128
        let dataFolder = r.string("data.train")!
        var kind = ShardBatchSource.Kind.multimodal
        var pre: ImagePreprocessor?
        switch r.stage {
        case .align, .instruct, .full:
            let (model, lora) = try StageSetup.makeLlava(r)
            let t = LlavaTask(model: model, stage: r.stage, maxLength: r.int("data.max_length") ?? 2048, lora: lora)
            task = t
            pre = try Self.preprocessor(r, tower: model.vision.config)
            let src = try ShardBatchSource(folder: dataFolder, seed: r.seed, shuffle: r.bool("data.shuffle") ?? true, kind: .multimodal,
                                           microBatch: micro, megabatch: global, groupByModality: r.bool("data.group_by_modality_length") ?? false,
                                           prefetch: r.int("data.prefetch") ?? 4, preprocessor: pre)
            try Self.check(src, recipe: r, towerImageSize: model.vision.config.imageSize)
            source = src
            model.llm.gradientCheckpointing = r.bool("train.gradient_checkpointing") ?? false
        case .lmPretrain:
            let llm = try StageSetup.makeLLM(r)
            StageSetup.applyFreezing(r, vision: nil, projector: nil, llm: llm)
            task = LanguageModelTask(model: llm, recipe: r)
            kind = .text
            let src = try ShardBatchSource(folder: dataFolder, seed: r.seed, shuffle: r.bool("data.shuffle") ?? true, kind: .text,
                                           microBatch: micro, megabatch: global, groupByModality: false, prefetch: r.int("data.prefetch") ?? 4)
            try Self.check(src, recipe: r, towerImageSize: nil)
            source = src
            llm.gradientCheckpointing = r.bool("train.gradient_checkpointing") ?? false
        case .clip:
            let vision = try StageSetup.makeVision(r)
            let text = try TextEncoder(config: Self.textConfig(r), seed: r.seed &+ 5)
            let t = CLIPTask(vision: vision, text: text, projectionDim: r.int("model.text.projection_dim") ?? 64, seed: r.seed &+ 6)
            t.root.setTrainable(true)
            StageSetup.applyFreezing(r, vision: vision, projector: nil, llm: nil)
            task = t
            kind = .pairs
            pre = try Self.preprocessor(r, tower: vision.config)
            let src = try ShardBatchSource(folder: dataFolder, seed: r.seed, shuffle: r.bool("data.shuffle") ?? true, kind: .pairs,
                                           microBatch: micro, megabatch: global, groupByModality: false,
                                           prefetch: r.int("data.prefetch") ?? 4, preprocessor: pre)
            try Self.check(src, recipe: r, towerImageSize: vision.config.imageSize)
            source = src
        }
        trainer = try Trainer(recipe: r, task: task, source: source, runFolder: runFolder)
        evaluator = try RunEvaluator(recipe: r, runFolder: runFolder, task: task, kind: kind, preprocessor: pre)
        if let evaluator, let every = r.int("eval.every"), every > 0 {
            let trainer = self.trainer
            trainer.onStep = { [unowned trainer] state, _ in
                guard state.step % every == 0 else { return }
                do { _ = try evaluator.evaluate(step: state.step, trainer: trainer) } catch {
                    Log.warning("evaluation at step \(state.step) failed: \(error)")
                }
            }
        }
        if let llava = task as? LlavaTask {
            let rand = trainer.random
            llava.model.llm.replay = ReplayHooks(capture: { rand.generator }, restore: { rand.generator = $0 as! RandomGenerator })
        }
    }

    /// The `clip` stage's text encoder: `model.text.config`, its vocabulary from the
    /// tokenizer (`model.tokenizer`) unless the config gives one.
    static func textConfig(_ r: Recipe) throws -> TextEncoder.Config {
        let c = r.object("model.text.config") ?? [:]
        func int(_ k: String, _ d: Int) throws -> Int {
            guard let v = c[k] else { return d }
            guard let n = v as? Int else { throw RecipeError("model.text.config.\(k) must be an integer", at: r.origin("model.text.config")) }
            return n
        }
        var vocab = c["vocab_size"] as? Int
        if vocab == nil, let dir = r.string("model.tokenizer") {
            vocab = try Tokenizer(folder: URL(fileURLWithPath: dir)).idUpperBound
        }
        guard let v = vocab else { throw RecipeError("stage clip needs model.text.config.vocab_size or model.tokenizer", at: r.origin("model.text.config")) }
        return TextEncoder.Config(vocabSize: v, hiddenSize: try int("hidden_size", 128), intermediateSize: try int("intermediate_size", 512),
                                  numLayers: try int("num_hidden_layers", 2), numHeads: try int("num_attention_heads", 4),
                                  maxPositions: try int("max_position_embeddings", 64))
    }

    /// Decoder/preprocessor for shards that store encoded images.
    public static func preprocessor(_ r: Recipe, tower: VisionConfig) throws -> ImagePreprocessor? {
        let fallback = tower.family == .clip ? ImageProcessorConfig.clip(side: tower.imageSize) : .siglip(side: tower.imageSize)
        var config = fallback
        if let path = r.string("model.vision.path") {
            config = try ImageProcessorConfig.load(towerDirectory: URL(fileURLWithPath: path), fallback: fallback)
        }
        return try ImagePreprocessor(config: config.withOutputSide(tower.imageSize), mode: tower.family == .clip ? .pad : .resize)
    }

    /// The shards must match the model: same tokenizer, images of the tower's size.
    static func check(_ src: ShardBatchSource, recipe r: Recipe, towerImageSize: Int?) throws {
        let index = src.dataset.index
        if let dir = r.string("model.tokenizer") ?? r.string("model.llm.path") {
            let path = dir + "/tokenizer.json"
            if FileManager.default.fileExists(atPath: path) {
                let tok = try Tokenizer(folder: URL(fileURLWithPath: dir))
                if tok.sha256 != index.tokenizerSHA256 {
                    throw TrainingError("the shards were made with another tokenizer (sha256 \(index.tokenizerSHA256.prefix(12))..., \(dir) has \(tok.sha256.prefix(12))...); convert the data again with this model's tokenizer", at: src.dataset.folder)
                }
            }
        }
        if let side = towerImageSize, index.imageCount > 0, index.image.storage == .pixels, index.image.size != side {
            throw TrainingError("the shards hold \(index.image.size)x\(index.image.size) images but the vision tower takes \(side)x\(side); convert again with --image-size \(side)", at: src.dataset.folder)
        }
    }

    public func resume(_ mode: String) throws {
        switch mode {
        case "never": return
        case "auto":
            if let latest = trainer.latestCheckpoint { try trainer.resume(from: latest) }
        default:
            guard CheckpointStore.isComplete(mode) else { throw TrainingError("not a complete checkpoint folder (state.json and trainable.safetensors)", at: mode) }
            try trainer.resume(from: mode)
        }
    }

    /// After the loop: the training curves.
    public func finish(_ summary: Trainer.Summary) throws {
        let every = recipe.int("eval.every") ?? 0
        if let evaluator, !summary.interrupted, every == 0 || summary.steps % every != 0 {
            _ = try evaluator.evaluate(step: summary.steps, trainer: trainer)
        }
        try Curves.write(metrics: runFolder + "/metrics.jsonl", to: runFolder + "/curves.png", title: recipe.name)
    }
}
