import Evaluation
import Foundation
import Formats
import Imaging
import Layers
import Models
import Tokenizers
import Training

/// Builds a `Generator` from what a user points `generate`/`chat` at: a training
/// checkpoint (or run folder), a Hugging Face llava folder, or a Hugging Face LLM folder
/// (text only, or with `--projector` and `--vision` assembled into a LLaVA model), plus an
/// optional PEFT adapter on the LLM.
public enum GeneratorLoader {
    public struct Request {
        public var model: String
        public var adapter: String?
        public var projector: String?
        public var vision: String?
        public var tokenizer: String?
        public var template: String?

        public init(model: String, adapter: String? = nil, projector: String? = nil, vision: String? = nil,
                    tokenizer: String? = nil, template: String? = nil) {
            self.model = model
            self.adapter = adapter
            self.projector = projector
            self.vision = vision
            self.tokenizer = tokenizer
            self.template = template
        }
    }

    public static func load(_ q: Request) throws -> Generator {
        let fm = FileManager.default
        if !fm.fileExists(atPath: q.model + "/config.json") {
            // A training checkpoint or run folder.
            let ck = try CheckpointModels.resolve(q.model)
            let r = try CheckpointModels.recipe(of: ck)
            let tok = try q.tokenizer.map { try Tokenizer(folder: URL(fileURLWithPath: $0)) } ?? CheckpointModels.tokenizer(r)
            let template = try ChatTemplate(name: q.template ?? "vicuna_v1")
            if r.stage == .lmPretrain {
                let llm = try CheckpointModels.loadedLLM(r, checkpoint: ck)
                if let a = q.adapter { try PEFT.load(folder: a, into: llm) }
                return try Generator(llm: llm, tokenizer: tok, template: template)
            }
            let (model, _) = try CheckpointModels.llava(ck)
            if let a = q.adapter { try PEFT.load(folder: a, into: model.llm) }
            return try Generator(model: model, tokenizer: tok, template: template,
                                 preprocessor: CheckpointModels.preprocessor(r, tower: model.vision.config))
        }
        let tok = try Tokenizer(folder: URL(fileURLWithPath: q.tokenizer ?? q.model))
        let loaded = try ModelLoader.load(folder: q.model)
        switch loaded {
        case .vision:
            throw GenerationError("\(q.model) is a vision tower; generation needs a language model or a llava model")
        case .llava(let m, let layout):
            if let a = q.adapter { try PEFT.load(folder: a, into: m, moduleName: layout.checkpointKey, scope: { $0.contains("language_model") }) }
            let template = try ChatTemplate(name: q.template ?? defaultTemplate(m.config.text))
            return try Generator(model: m, tokenizer: tok, template: template, preprocessor: preprocessor(towerFolder: q.model, m.config.vision))
        case .causalLM(let llm):
            if let a = q.adapter { try PEFT.load(folder: a, into: llm) }
            let template = try ChatTemplate(name: q.template ?? defaultTemplate(llm.config))
            guard let projectorPath = q.projector else { return try Generator(llm: llm, tokenizer: tok, template: template) }
            guard let visionPath = q.vision else {
                throw GenerationError("--projector needs --vision: the vision tower folder the projector was trained on")
            }
            let tower = try ModelLoader.loadVision(folder: visionPath)
            let file = try SafeTensors.File(path: projectorPath)
            let kind = try projectorKind(file, path: projectorPath)
            let projector = Projector(kind: kind, visionHidden: tower.config.hiddenSize, textHidden: llm.config.hiddenSize)
            try Artifacts.loadProjector(projector, from: projectorPath)
            let config = LlavaConfig(vision: tower.config, text: llm.config, projector: kind, visionFeatureLayers: [-2],
                                     dropFirstFeature: tower.config.family == .clip, imageTokenId: llm.config.vocabSize)
            let m = LlavaModel(config: config, vision: tower, projector: projector, llm: llm)
            return try Generator(model: m, tokenizer: tok, template: template, preprocessor: preprocessor(towerFolder: visionPath, tower.config))
        }
    }

    /// chatml for Qwen2, vicuna_v1 (LLaVA-1.5's) otherwise.
    static func defaultTemplate(_ c: LlamaConfig) -> String { c.family == .qwen2 ? "chatml" : "vicuna_v1" }

    static func preprocessor(towerFolder: String, _ c: VisionConfig) throws -> ImagePreprocessor {
        let fallback = c.family == .clip ? ImageProcessorConfig.clip(side: c.imageSize) : .siglip(side: c.imageSize)
        let config = try ImageProcessorConfig.load(towerDirectory: URL(fileURLWithPath: towerFolder), fallback: fallback)
        return try ImagePreprocessor(config: config.withOutputSide(c.imageSize), mode: c.family == .clip ? .pad : .resize)
    }

    /// The projector type of an mm_projector file: its metadata, else the number of layers.
    static func projectorKind(_ f: SafeTensors.File, path: String) throws -> Projector.Kind {
        if let name = f.metadata["mm_projector_type"], let k = Projector.Kind(name: name) { return k }
        let layers = Set(f.names.compactMap { n -> Int? in
            let parts = n.split(separator: ".")
            return parts.count >= 2 ? Int(parts[parts.count - 2]) : nil
        })
        guard !layers.isEmpty else { throw GenerationError("cannot tell the projector type of \(path)") }
        return layers.count == 1 ? .linear : .mlpGelu(depth: layers.count)
    }
}
