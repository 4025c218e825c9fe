import Foundation
import Layers
import Models
import Tensors

/// The model being trained and how a batch becomes a loss; one implementation per kind of
/// stage. Which parameters train is decided once, in `StageSetup`.
public protocol TrainingTask: AnyObject {
    /// The module whose trainable parameters the optimiser updates and checkpoints save.
    var root: Module { get }
    /// Mean loss of the micro-batch and the tokens (or samples) it covered.
    func loss(_ batch: TrainingBatch) throws -> (loss: Tensor, tokens: Int)
    /// Parameters in the projector's learning-rate group.
    func isProjectorParameter(_ key: String) -> Bool
    /// Stage-specific files in a checkpoint folder (mm_projector, PEFT adapter, HF folders).
    func writeArtifacts(to folder: String) throws
    /// Sets training mode (dropout on) or evaluation mode.
    func setTraining(_ on: Bool)
    /// Called after every optimiser update (CLIP clamps its temperature here).
    func afterUpdate()
}

extension TrainingTask {
    public func afterUpdate() {}
}

/// Stages 1 and 2 (and full fine-tuning): image features from the frozen tower (no graph),
/// the projector, then the LLM on the spliced sequence.
public final class LlavaTask: TrainingTask {
    public let model: LlavaModel
    public let maxLength: Int
    public let stage: Recipe.Stage
    public let lora: LoRASettings?
    public var root: Module { model }

    public init(model: LlavaModel, stage: Recipe.Stage, maxLength: Int, lora: LoRASettings?) {
        self.model = model
        self.stage = stage
        self.maxLength = maxLength
        self.lora = lora
    }

    public func loss(_ batch: TrainingBatch) throws -> (loss: Tensor, tokens: Int) {
        guard case .multimodal(let b) = batch else { throw TrainingError("stage \(stage.rawValue) needs image-text samples") }
        let features = try b.images.map { try imageFeatures($0) }
        let inputs = try model.splice(b, features: features, maxLength: maxLength)
        return (try model.llm.labelledLoss(inputsEmbeds: inputs.embeddings, attentionMask: inputs.attentionMask, labels: inputs.labels), inputs.tokens)
    }

    /// Projected features; the tower runs without recording when it is frozen.
    func imageFeatures(_ pixels: Tensor) throws -> Tensor {
        let towerFrozen = !model.vision.namedParameters().contains { $0.1.requiresGrad }
        if towerFrozen {
            let selected = try noGrad { try selectedFeatures(pixels) }
            return try model.projector(selected)
        }
        return try model.projector(selectedFeatures(pixels))
    }

    public func selectedFeatures(_ pixels: Tensor) throws -> Tensor {
        let c = model.config
        let indices = c.visionFeatureLayers.map { $0 < 0 ? c.vision.numLayers + 1 + $0 : $0 }
        let states = try model.vision.hiddenStates(pixels, layers: indices.max()!)
        var s = try indices.count == 1 ? states[indices[0]] : Tensor.concat(indices.map { states[$0] }, dim: -1)
        if c.dropFirstFeature { s = try s.slice(dim: 1, start: 1, end: s.shape[1]) }
        return s
    }

    public func isProjectorParameter(_ key: String) -> Bool { key.hasPrefix("model.multi_modal_projector.") }

    public func setTraining(_ on: Bool) {
        for (_, m) in model.namedModules() { (m as? Linear)?.lora?.training = on }
    }

    public func writeArtifacts(to folder: String) throws {
        try Artifacts.writeProjector(model.projector, to: folder + "/mm_projector.safetensors")
        if let lora {
            try PEFT.save(model.llm, settings: lora, to: folder + "/adapter", baseModel: "")
            try Artifacts.writeNonLoRATrainables(model, to: folder + "/non_lora_trainables.safetensors")
        }
        if stage == .full {
            try Artifacts.writeHFFolder(model.llm, config: model.config.text.json, to: folder + "/llm")
        }
    }
}

/// `lm-pretrain`: a causal LM on text.
public final class LanguageModelTask: TrainingTask {
    public let model: LlamaForCausalLM
    /// Take the loss where the shard's labels say (`data.loss_on: labels`) instead of on
    /// every token.
    public let useLabels: Bool
    public var root: Module { model }

    public init(model: LlamaForCausalLM, useLabels: Bool = false) {
        self.model = model
        self.useLabels = useLabels
    }

    /// The task as `recipe` asks for it (`data.loss_on`).
    public convenience init(model: LlamaForCausalLM, recipe: Recipe) {
        self.init(model: model, useLabels: recipe.string("data.loss_on") == "labels")
    }

    public func loss(_ batch: TrainingBatch) throws -> (loss: Tensor, tokens: Int) {
        guard case .text(let ids, let labels) = batch else { throw TrainingError("stage lm-pretrain needs text samples") }
        guard !ids.contains(where: { $0.contains { $0 < 0 } }) else { throw TrainingError("stage lm-pretrain needs text-only samples (an image placeholder was found)") }
        let t = ids.map(\.count).max() ?? 0
        var idFlat: [Int64] = [], labFlat: [Int64] = [], mask: [Float] = []
        // Causal LM pretraining learns every token of the text; with `useLabels`, only where
        // the shard's labels are not -100 (the assistant turns of a chat template).
        for (row, rowLabels) in zip(ids, labels) {
            idFlat += row.map(Int64.init) + [Int64](repeating: 0, count: t - row.count)
            labFlat += (useLabels ? rowLabels.map(Int64.init) : row.map(Int64.init)) + [Int64](repeating: -100, count: t - row.count)
            mask += [Float](repeating: 1, count: row.count) + [Float](repeating: 0, count: t - row.count)
        }
        let b = ids.count
        let idT = try Tensor(shape: [b, t], int64s: idFlat)
        let loss = try model.labelledLoss(inputsEmbeds: model.embed(idT), attentionMask: Tensor(shape: [b, t], scalars: mask),
                                          labels: Tensor(shape: [b, t], int64s: labFlat))
        return (loss, ids.reduce(0) { $0 + $1.count })
    }

    public func isProjectorParameter(_ key: String) -> Bool { false }
    public func setTraining(_ on: Bool) {}

    public func writeArtifacts(to folder: String) throws {
        try Artifacts.writeHFFolder(model, config: model.config.json, to: folder + "/model")
    }
}
