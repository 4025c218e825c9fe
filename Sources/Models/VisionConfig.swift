import Foundation
import Layers

/// A ViT vision tower config: CLIP (`clip_vision_model`, class token, pre-LayerNorm,
/// quick_gelu) or SigLIP (`siglip_vision_model`, no class token, patch bias, gelu tanh,
/// post-LayerNorm on the last hidden state).
public struct VisionConfig: Equatable, Sendable {
    public enum Family: String, Sendable { case clip, siglip }
    public var family: Family
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var imageSize: Int
    public var patchSize: Int
    public var numChannels: Int
    public var hiddenAct: Activation
    public var layerNormEps: Float

    public init(family: Family, hiddenSize: Int, intermediateSize: Int, numLayers: Int, numHeads: Int,
                imageSize: Int, patchSize: Int, numChannels: Int = 3, hiddenAct: Activation? = nil, layerNormEps: Float? = nil) {
        self.family = family
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numLayers = numLayers
        self.numHeads = numHeads
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.numChannels = numChannels
        self.hiddenAct = hiddenAct ?? (family == .clip ? .quickGelu : .geluTanh)
        self.layerNormEps = layerNormEps ?? (family == .clip ? 1e-5 : 1e-6)
    }

    /// Patches per image side.
    public var gridSize: Int { imageSize / patchSize }
    /// Tokens per image: patches plus the class token (CLIP).
    public var sequenceLength: Int { gridSize * gridSize + (family == .clip ? 1 : 0) }

    /// Reads `config.json` of a vision tower, or the `vision_config` of a full CLIP/SigLIP
    /// or llava config.
    public init(json top: JSONObject) throws {
        var json = top
        let topType = try top.string("model_type") ?? ""
        if topType == "clip" || topType == "siglip" || (topType != "clip_vision_model" && topType != "siglip_vision_model" && top.has("vision_config")) {
            guard let v = try top.object("vision_config") else { throw LayerError("no vision_config", at: top.file) }
            json = v
        }
        let type = try json.string("model_type") ?? (topType == "siglip" ? "siglip_vision_model" : "clip_vision_model")
        let family: Family
        switch type {
        case "clip_vision_model", "clip": family = .clip
        case "siglip_vision_model", "siglip": family = .siglip
        default: throw LayerError("model_type \"\(type)\" is not a supported vision tower (clip_vision_model, siglip_vision_model)", at: json.file)
        }
        let actName = try json.string("hidden_act") ?? (family == .clip ? "quick_gelu" : "gelu_pytorch_tanh")
        guard let act = Activation(hfName: actName) else { throw LayerError("hidden_act \"\(actName)\" is not supported", at: json.file) }
        self.init(family: family,
                  hiddenSize: try json.int("hidden_size", default: 768),
                  intermediateSize: try json.int("intermediate_size", default: 3072),
                  numLayers: try json.int("num_hidden_layers", default: 12),
                  numHeads: try json.int("num_attention_heads", default: 12),
                  imageSize: try json.int("image_size", default: 224),
                  patchSize: try json.int("patch_size", default: family == .clip ? 32 : 16),
                  numChannels: try json.int("num_channels", default: 3),
                  hiddenAct: act,
                  layerNormEps: (try json.double("layer_norm_eps")).map(Float.init))
        guard hiddenSize % numHeads == 0 else {
            throw LayerError("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numHeads)", at: json.file)
        }
        guard imageSize % patchSize == 0 else {
            throw LayerError("image_size \(imageSize) is not a multiple of patch_size \(patchSize)", at: json.file)
        }
    }

    public var json: [String: Any] {
        [
            "model_type": family == .clip ? "clip_vision_model" : "siglip_vision_model",
            "architectures": [family == .clip ? "CLIPVisionModel" : "SiglipVisionModel"],
            "hidden_size": hiddenSize, "intermediate_size": intermediateSize, "num_hidden_layers": numLayers,
            "num_attention_heads": numHeads, "image_size": imageSize, "patch_size": patchSize,
            "num_channels": numChannels, "hidden_act": hiddenAct.rawValue, "layer_norm_eps": layerNormEps.jsonNumber,
            "torch_dtype": "float32",
        ]
    }
}
