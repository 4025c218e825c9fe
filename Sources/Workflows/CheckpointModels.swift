import Foundation
import Formats
import Imaging
import Models
import Tokenizers
import Evaluation
import Layers
import Training
import Tensors
import DataPipeline
import Shards

/// Models rebuilt from a training checkpoint: its resolved recipe says how the model was
/// built, its `trainable.safetensors` holds what training changed.
public enum CheckpointModels {
    /// A checkpoint folder from a step folder, a run folder (its newest checkpoint), or the
    /// `checkpoints/` folder of a run.
    public static func resolve(_ path: String) throws -> String {
        if CheckpointStore.isComplete(path) { return path }
        for run in [path, (path as NSString).deletingLastPathComponent] {
            if let latest = CheckpointStore(runFolder: run, keepLast: 0).latest() { return latest }
        }
        throw TrainingError("not a checkpoint, or a run folder with one", at: path)
    }

    public static func recipe(of checkpoint: String) throws -> Recipe {
        try RecipeLoader.load(checkpoint + "/recipe.yaml")
    }

    /// Copies the checkpoint's trainable tensors into `model` (keys as the model names them).
    public static func loadTrainable(into model: Module, from checkpoint: String) throws {
        let file = checkpoint + "/trainable.safetensors"
        let saved = try SafeTensors.read(file)
        let params = Dictionary(model.namedParameters().map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        for (k, t) in saved {
            guard let p = params[k] else { throw TrainingError("checkpoint tensor \(k) matches no parameter of the model", at: file) }
            guard p.shape == t.shape else { throw TrainingError("tensor \(k) has shape \(t.shape), the model has \(p.shape)", at: file) }
            try p.assign(t)
        }
    }

    /// The LLaVA model of an align / instruct / full checkpoint, ready for generation.
    public static func llava(_ checkpoint: String) throws -> (LlavaModel, Recipe) {
        let r = try recipe(of: checkpoint)
        guard [.align, .instruct, .full].contains(r.stage) else {
            throw TrainingError("a \(r.stage.rawValue) checkpoint has no LLaVA model", at: checkpoint)
        }
        return (try loadedLlava(r, checkpoint: checkpoint).0, r)
    }

    /// The recipe's LLaVA model with the checkpoint's trainables in it, frozen, and the LoRA
    /// settings it was built with (nil without adapters).
    static func loadedLlava(_ r: Recipe, checkpoint: String) throws -> (LlavaModel, LoRASettings?) {
        let (model, lora) = try StageSetup.makeLlava(r)
        try loadTrainable(into: model, from: checkpoint)
        model.setTrainable(false)
        return (model, lora)
    }

    /// The text LLM of an `lm-pretrain` checkpoint, its trained weights in it, frozen.
    static func loadedLLM(_ r: Recipe, checkpoint: String) throws -> LlamaForCausalLM {
        let llm = try StageSetup.makeLLM(r)
        try loadTrainable(into: llm, from: checkpoint)
        llm.setTrainable(false)
        return llm
    }

    /// The tokenizer a recipe trains with.
    public static func tokenizer(_ r: Recipe) throws -> Tokenizer {
        guard let dir = r.string("model.tokenizer") ?? r.string("model.llm.path") else {
            throw TrainingError("the recipe names no tokenizer (model.tokenizer or model.llm.path)", at: r.file)
        }
        return try Tokenizer(folder: URL(fileURLWithPath: dir))
    }

    /// The image preprocessing of a tower: its preprocessor_config.json, or the family's defaults.
    public static func preprocessor(_ r: Recipe, tower: VisionConfig) throws -> ImagePreprocessor {
        try TrainingSession.preprocessor(r, tower: tower)!
    }

    /// A generator for a checkpoint, prompting with `template`: a LLaVA one, or a text-only
    /// one for an `lm-pretrain` checkpoint (scored on sets without images).
    public static func generator(_ checkpoint: String, template: ChatTemplate) throws -> Generator {
        let r0 = try recipe(of: checkpoint)
        if r0.stage == .lmPretrain {
            return try Generator(llm: loadedLLM(r0, checkpoint: checkpoint), tokenizer: tokenizer(r0), template: template)
        }
        let (model, r) = try llava(checkpoint)
        return try Generator(model: model, tokenizer: tokenizer(r), template: template, preprocessor: preprocessor(r, tower: model.vision.config))
    }

    /// The template eval prompts use for a checkpoint: its training data's, unless that is
    /// `plain` (stage 1 learns captions, not conversations), then vicuna_v1.
    public static func evalTemplate(of r: Recipe) -> String {
        if let data = r.string("data.train"), let index = try? ShardIndex.read(fromFolder: data), index.template != "plain" {
            return index.template
        }
        return "vicuna_v1"
    }

    /// The training task of a checkpoint (its model with the trainables loaded), for
    /// validation loss; and the batch kind its data has.
    public static func task(_ checkpoint: String) throws -> (TrainingTask, ShardBatchSource.Kind, ImagePreprocessor?) {
        let r = try recipe(of: checkpoint)
        switch r.stage {
        case .lmPretrain:
            return (LanguageModelTask(model: try loadedLLM(r, checkpoint: checkpoint), recipe: r), .text, nil)
        case .align, .instruct, .full:
            let (model, lora) = try loadedLlava(r, checkpoint: checkpoint)
            let t = LlavaTask(model: model, stage: r.stage, maxLength: r.int("data.max_length") ?? 2048, lora: lora)
            return (t, .multimodal, try preprocessor(r, tower: model.vision.config))
        case .clip:
            throw TrainingError("validation loss of a clip checkpoint is not supported", at: checkpoint)
        }
    }

    /// Mean loss over every sample of a shard folder (batches weighted by their token counts),
    /// without dropout and without recording a graph.
    public static func validationLoss(_ task: TrainingTask, source: ShardBatchSource, microBatch: Int) throws -> Double {
        task.setTraining(false)
        return try noGrad {
            var total = 0.0, weight = 0.0, cursor = 0
            while cursor < source.samplesPerEpoch {
                let batch = try source.batch(epoch: 0, cursor: cursor, size: microBatch)
                let (loss, tokens) = try task.loss(batch)
                let value = Double(loss.item())
                if value.isFinite {
                    total += value * Double(tokens)
                    weight += Double(tokens)
                }
                cursor += batch.count
            }
            return weight > 0 ? total / weight : .nan
        }
    }
}
