import Foundation
import Formats
import Layers
import Tensors

/// A model read from a Hugging Face folder.
public enum LoadedModel {
    case causalLM(LlamaForCausalLM)
    case vision(VisionTransformer)
    case llava(LlavaModel, LlavaKeyLayout)

    public var module: Module {
        switch self {
        case .causalLM(let m): return m
        case .vision(let m): return m
        case .llava(let m, _): return m
        }
    }
}

/// Builds models from `config.json` and loads their safetensors weights. Weights keep their
/// stored dtype (bf16 stays bf16 and is converted per use); shapes are checked against the
/// config; a missing tensor is an error naming it; tensors the model does not use (SigLIP's
/// pooling head, a CLIP text tower, rotary buffers) are skipped and counted in the log.
public enum ModelLoader {
    public static func config(folder: String) throws -> JSONObject {
        try JSONObject(contentsOf: folder + "/config.json")
    }

    public static func load(folder: String) throws -> LoadedModel {
        let json = try config(folder: folder)
        let type = try json.string("model_type") ?? ""
        switch type {
        case "llama", "qwen2", "mistral":
            return .causalLM(try loadCausalLM(folder: folder, json: json))
        case "clip_vision_model", "siglip_vision_model", "clip", "siglip":
            return .vision(try loadVision(folder: folder, json: json))
        case "llava":
            let (m, layout) = try loadLlava(folder: folder, json: json)
            return .llava(m, layout)
        default:
            throw LayerError("unknown model_type \"\(type)\" (supported: llama, qwen2, clip_vision_model, siglip_vision_model, llava)", at: "\(folder)/config.json")
        }
    }

    public static func loadCausalLM(folder: String, json: JSONObject? = nil) throws -> LlamaForCausalLM {
        let model = LlamaForCausalLM(config: try LlamaConfig(json: json ?? config(folder: folder)))
        try loadWeights(into: model, folder: folder)
        return model
    }

    public static func loadVision(folder: String, json: JSONObject? = nil) throws -> VisionTransformer {
        let model = VisionTransformer(config: try VisionConfig(json: json ?? config(folder: folder)))
        try loadWeights(into: model, folder: folder)
        return model
    }

    public static func loadLlava(folder: String, json: JSONObject? = nil) throws -> (LlavaModel, LlavaKeyLayout) {
        let model = LlavaModel(config: try LlavaConfig(json: json ?? config(folder: folder)))
        let weights = try WeightFiles(folder: folder)
        let layout = LlavaKeyLayout.detect(weights.names)
        try loadWeights(into: model, weights: weights, checkpointKey: layout.checkpointKey)
        return (model, layout)
    }

    /// Loads `module`'s base parameters from the folder's safetensors.
    public static func loadWeights(into module: Module, folder: String, checkpointKey: @escaping (String) -> String = { $0 }) throws {
        try loadWeights(into: module, weights: WeightFiles(folder: folder), checkpointKey: checkpointKey)
    }

    /// Names a tensor may have on the hub: vision towers saved by transformers < 5 nest their
    /// keys under `vision_model.` (`vision_tower.vision_model.*` in llava); transformers 5
    /// drops that level. Both load.
    static func alternatives(_ key: String) -> [String] {
        key.contains("vision_model.") ? [key, key.replacingOccurrences(of: "vision_model.", with: "")] : [key]
    }

    static func loadWeights(into module: Module, weights: WeightFiles, checkpointKey: @escaping (String) -> String) throws {
        var used = Set<String>()
        try module.load(.base, from: { key in
            for candidate in alternatives(key) where weights.contains(candidate) {
                used.insert(candidate)
                return try weights.tensor(candidate)
            }
            return nil
        }, checkpointKey: checkpointKey, origin: weights.folder)
        let unused = weights.names.filter { !used.contains($0) }
        if !unused.isEmpty {
            Log.debug("\(weights.folder): \(unused.count) tensors not used by the model (e.g. \(unused.prefix(3).joined(separator: ", ")))")
        }
    }
}
