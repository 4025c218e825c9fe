import Foundation
import Layers
import Tensors

/// A LLaVA model: vision tower -> projector -> Llama-family LLM.
///
/// Parameter keys follow the newer transformers layout (`model.vision_tower.*`,
/// `model.multi_modal_projector.linear_N.*`, `model.language_model.*`, `lm_head.*`);
/// `LlavaKeyLayout` maps them to the older one when loading such a checkpoint.
public final class LlavaModel: Module {
    public let config: LlavaConfig
    public let vision: VisionTransformer
    public let projector: Projector
    public let llm: LlamaForCausalLM

    public init(config: LlavaConfig, vision: VisionTransformer? = nil, projector: Projector? = nil,
                llm: LlamaForCausalLM? = nil, seed: UInt64 = 0) {
        self.config = config
        self.vision = vision ?? VisionTransformer(config: config.vision, seed: seed)
        let featureWidth = config.vision.hiddenSize * config.visionFeatureLayers.count
        self.projector = projector ?? Projector(kind: config.projector, visionHidden: featureWidth,
                                                textHidden: config.text.hiddenSize, bias: config.projectorBias, seed: seed &+ 1)
        self.llm = llm ?? LlamaForCausalLM(config: config.text, seed: seed &+ 2)
    }

    public func visit(_ v: inout ParameterVisitor) {
        v.child("model.vision_tower", vision)
        v.child(projector, renamedBy: { "model.multi_modal_projector." + LlavaModel.hfProjectorKey($0) })
        v.child(llm, renamedBy: LlavaModel.languageModelKey)
    }

    /// LLaVA's Sequential index keys (`0.weight`, `2.weight`) -> transformers' (`linear_1.weight`, `linear_2.weight`).
    public static func hfProjectorKey(_ k: String) -> String {
        let parts = k.split(separator: ".", maxSplits: 1).map(String.init)
        guard let i = Int(parts[0]) else { return k }
        return "linear_\(i / 2 + 1)" + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// An LLM key (`model.layers.0...`, `lm_head.weight`) inside the llava layout.
    public static func languageModelKey(_ k: String) -> String {
        k.hasPrefix("model.") ? "model.language_model." + k.dropFirst("model.".count) : k
    }

    /// Index into the vision tower's hidden states for a (possibly negative) feature layer.
    func stateIndex(_ layer: Int) -> Int { layer < 0 ? config.vision.numLayers + 1 + layer : layer }

    /// Projected image features [N, P, D_text] of pixel values [N, C, H, W].
    public func imageFeatures(_ pixels: Tensor) throws -> Tensor {
        let indices = config.visionFeatureLayers.map(stateIndex)
        let states = try vision.hiddenStates(pixels, layers: indices.max()!)
        var selected = try indices.count == 1 ? states[indices[0]] : Tensor.concat(indices.map { states[$0] }, dim: -1)
        if config.dropFirstFeature { selected = try selected.slice(dim: 1, start: 1, end: selected.shape[1]) }
        return try projector(selected)
    }

    /// Input embeddings [B, T, D] for ids [B, T] in the transformers convention: each image
    /// contributes a run of `imageTokenId`s as long as its feature count, replaced in order
    /// by the image's projected features.
    public func inputEmbeddings(ids: Tensor, imageFeatures: Tensor?) throws -> Tensor {
        let b = ids.shape[0], t = ids.shape[1], d = config.text.hiddenSize
        let raw = ids.integers
        let imagePositions = raw.indices.filter { raw[$0] == config.imageTokenId }
        let featureRows = imageFeatures.map { $0.shape[0] * $0.shape[1] } ?? 0
        guard imagePositions.count == featureRows else {
            throw LayerError("input_ids hold \(imagePositions.count) image tokens (id \(config.imageTokenId)) but the images give \(featureRows) features")
        }
        let textIds = try Tensor(shape: [b, t], int64s: raw.map { $0 == config.imageTokenId ? 0 : Int64($0) })
        let text = try llm.embed(textIds)
        guard let feats = imageFeatures, featureRows > 0 else { return text }
        // One gather over [text rows; feature rows]: differentiable into both.
        var index = Array(0..<(b * t))
        for (k, p) in imagePositions.enumerated() { index[p] = b * t + k }
        let rows = try Tensor.concat([text.reshape([b * t, d]), feats.reshape([featureRows, d])], dim: 0)
        return try rows.indexSelect(dim: 0, indices: index).reshape([b, t, d])
    }

    /// Logits [B, T, V] for ids with image-token runs and their pixel values.
    public func logits(ids: Tensor, pixels: Tensor?, attentionMask: Tensor? = nil) throws -> Tensor {
        let feats = try pixels.map { try imageFeatures($0) }
        let embeds = try inputEmbeddings(ids: ids, imageFeatures: feats)
        return try llm.logits(llm.hiddenStates(inputsEmbeds: embeds, attentionMask: attentionMask))
    }
}

/// The two checkpoint key layouts of `LlavaForConditionalGeneration`.
public enum LlavaKeyLayout: Sendable {
    /// transformers >= 4.52: `model.language_model.*`, `model.vision_tower.*`, `model.multi_modal_projector.*`, `lm_head.*`.
    case current
    /// Older: `language_model.model.*`, `language_model.lm_head.*`, `vision_tower.*`, `multi_modal_projector.*`.
    case legacy

    public static func detect(_ names: [String]) -> LlavaKeyLayout {
        names.contains { $0.hasPrefix("language_model.") || $0.hasPrefix("vision_tower.") } ? .legacy : .current
    }

    /// The checkpoint key of a model key (model keys use the current layout).
    public func checkpointKey(_ k: String) -> String {
        guard self == .legacy else { return k }
        if k.hasPrefix("model.language_model.") { return "language_model.model." + k.dropFirst("model.language_model.".count) }
        if k.hasPrefix("lm_head.") { return "language_model." + k }
        if k.hasPrefix("model.vision_tower.") || k.hasPrefix("model.multi_modal_projector.") { return String(k.dropFirst("model.".count)) }
        return k
    }
}
