import AtomicFiles
import Foundation
import Formats
import Layers
import Models
import Tensors
import Training

/// `vlmtune export`: hands a training checkpoint to other tools in their own formats.
///
/// | format | stages | what is written |
/// |---|---|---|
/// | `peft` | instruct (full with LoRA) | `adapter_config.json` + `adapter_model.safetensors` (PEFT), `non_lora_trainables.safetensors` (LLaVA) |
/// | `llava-projector` | align, instruct, full | `mm_projector.safetensors` + a LLaVA-style `config.json` |
/// | `merged` | every stage | a Hugging Face folder: `LlavaForConditionalGeneration` (LoRA merged, `<image>` token added) for align/instruct/full, the LLM for lm-pretrain, the vision tower for clip |
///
/// The folder is written next to `out` under a temporary name and renamed when complete,
/// so an interrupted export leaves nothing that looks finished.
public enum CheckpointExport {
    public enum Format: String, CaseIterable, Sendable {
        case peft
        case merged
        case llavaProjector = "llava-projector"
    }

    public struct Result {
        public var checkpoint: String
        public var files: [String]
        public var notes: [String]
    }

    public static func run(checkpoint path: String, format: Format, out: String) throws -> Result {
        let ck = try CheckpointModels.resolve(path)
        let r = try CheckpointModels.recipe(of: ck)
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: out), !existing.isEmpty {
            throw TrainingError("the output folder exists and is not empty; choose a new one", at: out)
        }
        let parent = (out as NSString).deletingLastPathComponent
        if !parent.isEmpty { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        let staging = out + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? fm.removeItem(atPath: staging)
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        var notes: [String] = []
        do {
            switch format {
            case .peft: try writePEFT(r, checkpoint: ck, to: staging)
            case .llavaProjector: try writeProjector(r, checkpoint: ck, to: staging)
            case .merged: notes = try writeMerged(r, checkpoint: ck, to: staging)
            }
            try? fm.removeItem(atPath: out)
            try fm.moveItem(atPath: staging, toPath: out)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
        let files = ((try? fm.contentsOfDirectory(atPath: out)) ?? []).sorted()
        return Result(checkpoint: ck, files: files, notes: notes)
    }

    /// The LLaVA model of a checkpoint with its LoRA settings (nil without adapters).
    static func llava(_ r: Recipe, checkpoint ck: String) throws -> (LlavaModel, LoRASettings?) {
        guard [.align, .instruct, .full].contains(r.stage) else {
            throw TrainingError("a \(r.stage.rawValue) checkpoint has no LLaVA model (use --format merged)", at: ck)
        }
        return try CheckpointModels.loadedLlava(r, checkpoint: ck)
    }

    static func writePEFT(_ r: Recipe, checkpoint ck: String, to folder: String) throws {
        let (model, lora) = try llava(r, checkpoint: ck)
        guard let lora else {
            throw TrainingError("this \(r.stage.rawValue) checkpoint trains no LoRA adapters (use --format llava-projector or merged)", at: ck)
        }
        try PEFT.save(model.llm, settings: lora, to: folder, baseModel: r.string("model.llm.path") ?? "")
        try Artifacts.writeNonLoRATrainables(model, to: folder + "/non_lora_trainables.safetensors")
    }

    static func writeProjector(_ r: Recipe, checkpoint ck: String, to folder: String) throws {
        let (model, _) = try llava(r, checkpoint: ck)
        try Artifacts.writeProjector(model.projector, to: folder + "/mm_projector.safetensors")
        // The keys LLaVA's builder reads to rebuild the projector and pick vision features.
        var config = model.config.text.json
        config["mm_projector_type"] = model.projector.kind.name
        config["mm_hidden_size"] = model.config.vision.hiddenSize
        config["mm_vision_select_layer"] = model.config.visionFeatureLayers.first ?? -2
        config["mm_vision_select_feature"] = model.config.dropFirstFeature ? "patch" : "cls_patch"
        config["mm_vision_tower"] = r.string("model.vision.path") ?? ""
        config["mm_use_im_start_end"] = false
        config["mm_use_im_patch_token"] = false
        config["image_aspect_ratio"] = model.config.vision.family == .clip ? "pad" : "square"
        try writeJSON(config, to: folder + "/config.json")
    }

    static func writeMerged(_ r: Recipe, checkpoint ck: String, to folder: String) throws -> [String] {
        switch r.stage {
        case .lmPretrain:
            let llm = try StageSetup.makeLLM(r)
            try CheckpointModels.loadTrainable(into: llm, from: ck)
            try Artifacts.writeHFFolder(llm, config: llm.config.json, to: folder)
            try copyTokenizer(r, to: folder, addImageToken: nil)
            return []
        case .clip:
            let tower = try StageSetup.makeVision(r)
            try CheckpointModels.loadTrainable(into: tower, from: ck)
            try Artifacts.writeHFFolder(tower, config: tower.config.json, to: folder)
            return []
        case .align, .instruct, .full:
            return try writeMergedLlava(r, checkpoint: ck, to: folder)
        }
    }

    /// An HF `LlavaForConditionalGeneration` folder. Training marks images with LLaVA's -200
    /// placeholder; transformers needs an `<image>` token in the vocabulary, so unless the
    /// tokenizer has one it is appended (id = old vocabulary size) and the embedding (and an
    /// untied lm_head) grows by one row, the mean of the others (transformers' own
    /// `resize_token_embeddings` default). The row is never read for an image position.
    static func writeMergedLlava(_ r: Recipe, checkpoint ck: String, to folder: String) throws -> [String] {
        let (model, _) = try llava(r, checkpoint: ck)
        guard model.projector.kind == .mlpGelu(depth: 2) else {
            throw TrainingError("transformers' LlavaForConditionalGeneration has only the mlp2x_gelu projector, this one is \(model.projector.kind.name) (use --format peft and llava-projector)", at: ck)
        }
        guard model.config.visionFeatureLayers.count == 1 else {
            throw TrainingError("several vision feature layers cannot be exported as llava", at: ck)
        }
        for case let (_, l as Linear) in model.llm.namedModules() { try l.mergeLoRA() }
        let tokDir = r.string("model.tokenizer") ?? r.string("model.llm.path")
        let existing = try tokDir.flatMap { try imageTokenId(inTokenizer: $0 + "/tokenizer.json") }
        var text = model.config.text
        let imageToken = existing ?? text.vocabSize
        var tensors: [String: Tensor] = [:]
        for (k, t) in model.namedParameters(.base) { tensors[k] = t.dtype == .float32 ? t.contiguous() : t.cast(.float32) }
        var notes: [String] = []
        if existing == nil {
            for key in ["model.language_model.embed_tokens.weight", "lm_head.weight"] {
                if let w = tensors[key] { tensors[key] = try appendMeanRow(w) }
            }
            text.vocabSize += 1
            notes.append("added the <image> token as id \(imageToken) and grew the embedding to \(text.vocabSize) rows")
        }
        try SafeTensors.write(tensors, to: folder + "/model.safetensors")
        let v = model.config.vision
        let config: [String: Any] = [
            "architectures": ["LlavaForConditionalGeneration"], "model_type": "llava",
            "vision_config": v.json, "text_config": text.json,
            "image_token_id": imageToken, "image_token_index": imageToken,
            "projector_hidden_act": "gelu", "multimodal_projector_bias": model.config.projectorBias,
            "vision_feature_layer": model.config.visionFeatureLayers[0],
            "vision_feature_select_strategy": model.config.dropFirstFeature ? "default" : "full",
            "image_seq_length": v.gridSize * v.gridSize,
            "tie_word_embeddings": text.tieWordEmbeddings, "torch_dtype": "float32",
        ]
        try writeJSON(config, to: folder + "/config.json")
        try copyTokenizer(r, to: folder, addImageToken: existing == nil ? imageToken : nil)
        if let vp = r.string("model.vision.path"), FileManager.default.fileExists(atPath: vp + "/preprocessor_config.json") {
            try FileManager.default.copyItem(atPath: vp + "/preprocessor_config.json", toPath: folder + "/preprocessor_config.json")
        } else {
            notes.append("no preprocessor_config.json next to the vision tower: none written")
        }
        let processor: [String: Any] = [
            "processor_class": "LlavaProcessor", "image_token": "<image>", "patch_size": v.patchSize,
            "vision_feature_select_strategy": model.config.dropFirstFeature ? "default" : "full",
            "num_additional_image_tokens": v.family == .clip ? 1 : 0,
        ]
        try writeJSON(processor, to: folder + "/processor_config.json")
        return notes
    }

    /// `w` [V, D] with one more row, the mean of the rows.
    static func appendMeanRow(_ w: Tensor) throws -> Tensor {
        let mean = try w.mean(axes: [0], keepDims: true)
        return try Tensor.concat([w, mean], dim: 0).contiguous()
    }

    /// The id of an `<image>` added token, if the tokenizer has one.
    static func imageTokenId(inTokenizer path: String) throws -> Int? {
        guard let json = try readJSONObject(path) else { return nil }
        let added = json["added_tokens"] as? [[String: Any]] ?? []
        return added.first { $0["content"] as? String == "<image>" }?["id"] as? Int
    }

    /// Copies tokenizer.json (with `<image>` appended as a special added token when asked)
    /// and tokenizer_config.json from the recipe's tokenizer folder.
    static func copyTokenizer(_ r: Recipe, to folder: String, addImageToken id: Int?) throws {
        guard let dir = r.string("model.tokenizer") ?? r.string("model.llm.path") else { return }
        let fm = FileManager.default
        if var json = try readJSONObject(dir + "/tokenizer.json") {
            if let id {
                var added = json["added_tokens"] as? [[String: Any]] ?? []
                added.append(["id": id, "content": "<image>", "single_word": false, "lstrip": false, "rstrip": false,
                              "normalized": false, "special": true])
                json["added_tokens"] = added
            }
            try writeJSON(json, to: folder + "/tokenizer.json")
        }
        for f in ["tokenizer_config.json", "special_tokens_map.json"] where fm.fileExists(atPath: dir + "/" + f) {
            try fm.copyItem(atPath: dir + "/" + f, toPath: folder + "/" + f)
        }
    }

    static func readJSONObject(_ path: String) throws -> [String: Any]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TrainingError("not a JSON object", at: path)
        }
        return obj
    }

    static func writeJSON(_ obj: [String: Any], to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write(data, to: path)
    }
}
