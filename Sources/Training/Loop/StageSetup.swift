import Foundation
import Layers
import Models
import Tensors

/// Builds the model a recipe describes and decides, in this one place, what trains in each
/// stage:
///
/// | stage | vision tower | projector | LLM | LoRA |
/// |---|---|---|---|---|
/// | align | frozen | trained | frozen (gradients flow through it) | - |
/// | instruct | frozen | trained | frozen | trained |
/// | full | frozen | trained | trained | optional |
/// | lm-pretrain | - | - | trained | - |
/// | clip | trained | - | - | - |
///
/// `model.vision.freeze` and `model.llm.freeze` override the defaults.
public enum StageSetup {
    public static func llmConfig(_ r: Recipe) throws -> LlamaConfig {
        if let inline = r.object("model.llm.config") {
            var d = inline
            if d["model_type"] == nil { d["model_type"] = "llama" }
            return try LlamaConfig(json: JSONObject(dict: d, file: "\(r.file) model.llm.config"))
        }
        return try LlamaConfig(json: ModelLoader.config(folder: r.string("model.llm.path")!))
    }

    public static func visionConfig(_ r: Recipe) throws -> VisionConfig {
        if let inline = r.object("model.vision.config") {
            var d = inline
            if d["model_type"] == nil { d["model_type"] = "clip_vision_model" }
            return try VisionConfig(json: JSONObject(dict: d, file: "\(r.file) model.vision.config"))
        }
        return try VisionConfig(json: ModelLoader.config(folder: r.string("model.vision.path")!))
    }

    public static func makeLLM(_ r: Recipe) throws -> LlamaForCausalLM {
        let llm = LlamaForCausalLM(config: try llmConfig(r), seed: r.seed &+ 2)
        if let path = r.string("model.llm.path") {
            try ModelLoader.loadWeights(into: llm, folder: path)
        }
        if r.string("model.llm.dtype") == "bfloat16" {
            try llm.walk(.base) { _, t in if !t.requiresGrad && t.rank >= 2 { t = t.cast(.bfloat16) } }
        }
        return llm
    }

    public static func makeVision(_ r: Recipe) throws -> VisionTransformer {
        let tower = VisionTransformer(config: try visionConfig(r), seed: r.seed)
        if let path = r.string("model.vision.path") { try ModelLoader.loadWeights(into: tower, folder: path) }
        return tower
    }

    /// The LLaVA model of an align / instruct / full recipe, with freezing applied.
    public static func makeLlava(_ r: Recipe) throws -> (LlavaModel, LoRASettings?) {
        let vision = try makeVision(r)
        let llm = try makeLLM(r)
        let typeName = r.string("model.projector.type") ?? "mlp2x_gelu"
        guard let kind = Projector.Kind(name: typeName) else {
            throw RecipeError("unknown projector type \(typeName) (linear, mlp<N>x_gelu)", at: r.origin("model.projector.type"))
        }
        let layer = r.int("model.vision.select_layer") ?? -2
        let hidden = vision.config.numLayers + 1
        guard (layer < 0 ? hidden + layer : layer) >= 0 && (layer < 0 ? hidden + layer : layer) < hidden else {
            throw RecipeError("model.vision.select_layer \(layer) is outside the tower's \(hidden) hidden states", at: r.origin("model.vision.select_layer"))
        }
        let keepCLS = r.string("model.vision.select_feature") == "cls_patch"
        let config = LlavaConfig(vision: vision.config, text: llm.config, projector: kind, projectorBias: true,
                                 visionFeatureLayers: [layer], dropFirstFeature: vision.config.family == .clip && !keepCLS,
                                 imageTokenId: llm.config.vocabSize)
        let projector = Projector(kind: kind, visionHidden: vision.config.hiddenSize, textHidden: llm.config.hiddenSize, seed: r.seed &+ 1)
        if let path = r.string("model.projector.path") { try Artifacts.loadProjector(projector, from: path) }
        let model = LlavaModel(config: config, vision: vision, projector: projector, llm: llm)
        var lora: LoRASettings?
        if let path = r.string("model.lora.path") {
            lora = try PEFT.load(folder: path, into: llm)
        } else if let rank = r.int("model.lora.r"), rank > 0 {
            let s = LoRASettings(rank: rank, alpha: r.double("model.lora.alpha") ?? 16, dropout: r.double("model.lora.dropout") ?? 0,
                                 targets: .names(r.strings("model.lora.targets")), rsLoRA: r.bool("model.lora.rslora") ?? false)
            let attached = PEFT.attach(s, to: llm, seed: r.seed &+ 3)
            guard !attached.isEmpty else {
                throw RecipeError("model.lora.targets \(r.strings("model.lora.targets")) match no linear layer of the LLM", at: r.origin("model.lora.targets"))
            }
            lora = s
        }
        applyFreezing(r, vision: vision, projector: projector, llm: llm)
        return (model, lora)
    }

    /// Sets `requiresGrad` on every parameter as the stage (and the freeze overrides) say.
    public static func applyFreezing(_ r: Recipe, vision: VisionTransformer?, projector: Projector?, llm: LlamaForCausalLM?) {
        let stage = r.stage
        let visionFrozen = r.bool("model.vision.freeze") ?? (stage != .clip)
        let llmFrozen = r.bool("model.llm.freeze") ?? (stage == .align || stage == .instruct)
        vision?.setTrainable(!visionFrozen)
        projector?.setTrainable(stage != .lmPretrain && stage != .clip)
        if let llm {
            llm.setTrainable(!llmFrozen, .base)
            llm.setTrainable(stage == .instruct || stage == .full, .lora)
        }
    }
}
