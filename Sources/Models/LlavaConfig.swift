import Foundation
import Layers

/// `LlavaForConditionalGeneration`'s config: a vision tower, a Llama-family LLM, and the
/// glue (which hidden layer feeds the projector, whether the class token is dropped, which
/// token id marks image positions).
public struct LlavaConfig: Sendable {
    public var vision: VisionConfig
    public var text: LlamaConfig
    public var projector: Projector.Kind
    public var projectorBias: Bool
    /// Hidden-state indices read from the vision tower (negative: from the end), concatenated.
    public var visionFeatureLayers: [Int]
    /// "default" drops the first token of each image's features (CLIP's class token), "full" keeps all.
    public var dropFirstFeature: Bool
    public var imageTokenId: Int
    public var tieWordEmbeddings: Bool

    public init(vision: VisionConfig, text: LlamaConfig, projector: Projector.Kind = .mlpGelu(depth: 2),
                projectorBias: Bool = true, visionFeatureLayers: [Int] = [-2], dropFirstFeature: Bool = true,
                imageTokenId: Int) {
        self.vision = vision
        self.text = text
        self.projector = projector
        self.projectorBias = projectorBias
        self.visionFeatureLayers = visionFeatureLayers
        self.dropFirstFeature = dropFirstFeature
        self.imageTokenId = imageTokenId
        self.tieWordEmbeddings = text.tieWordEmbeddings
    }

    public init(json: JSONObject) throws {
        guard let v = try json.object("vision_config"), let t = try json.object("text_config") else {
            throw LayerError("llava config needs vision_config and text_config", at: json.file)
        }
        var text = try LlamaConfig(json: t)
        if let tie = try json.bool("tie_word_embeddings") { text.tieWordEmbeddings = tie }
        let act = try json.string("projector_hidden_act") ?? "gelu"
        guard act == "gelu" else { throw LayerError("projector_hidden_act \"\(act)\" is not supported (gelu)", at: json.file) }
        var layers: [Int]
        if let n = json.dict["vision_feature_layer"] as? NSNumber {
            layers = [n.intValue]
        } else if let list = json.dict["vision_feature_layer"] as? [NSNumber] {
            layers = list.map(\.intValue)
        } else {
            layers = [-2]
        }
        let strategy = try json.string("vision_feature_select_strategy") ?? "default"
        guard strategy == "default" || strategy == "full" else {
            throw LayerError("vision_feature_select_strategy \"\(strategy)\" is not supported (default, full)", at: json.file)
        }
        guard let imageToken = try json.int("image_token_id") ?? json.int("image_token_index") else {
            throw LayerError("missing image_token_id (or image_token_index)", at: json.file)
        }
        self.init(vision: try VisionConfig(json: v), text: text, projector: .mlpGelu(depth: 2),
                  projectorBias: try json.bool("multimodal_projector_bias") ?? true,
                  visionFeatureLayers: layers, dropFirstFeature: strategy == "default", imageTokenId: imageToken)
        let hiddenStates = vision.numLayers + 1
        for l in layers where (l < 0 ? hiddenStates + l : l) < 0 || (l < 0 ? hiddenStates + l : l) >= hiddenStates {
            throw LayerError("vision_feature_layer \(l) is outside the tower's \(hiddenStates) hidden states", at: json.file)
        }
    }
}
