import Foundation
import Layers

/// Rotary position embedding settings (`rope_parameters`, or the legacy top-level
/// `rope_theta` / `rope_scaling`).
public struct RopeConfig: Equatable, Sendable {
    public enum Kind: String, Sendable { case `default`, linear, llama3 }
    public var theta: Double
    public var kind: Kind
    public var factor: Double = 1
    public var lowFreqFactor: Double = 1
    public var highFreqFactor: Double = 4
    public var originalMaxPositions: Int = 8192

    public init(theta: Double, kind: Kind = .default) {
        self.theta = theta
        self.kind = kind
    }

    static func read(_ json: JSONObject) throws -> RopeConfig {
        let params = try json.object("rope_parameters")
        let scaling = try json.object("rope_scaling")
        let theta = try params?.double("rope_theta") ?? json.double("rope_theta") ?? 10000
        var rope = RopeConfig(theta: theta)
        guard let s = params ?? scaling else { return rope }
        let type = try s.string("rope_type") ?? s.string("type") ?? "default"
        switch type {
        case "default": rope.kind = .default
        case "linear":
            rope.kind = .linear
            rope.factor = try s.double("factor") ?? 1
        case "llama3":
            rope.kind = .llama3
            rope.factor = try s.double("factor") ?? 8
            rope.lowFreqFactor = try s.double("low_freq_factor") ?? 1
            rope.highFreqFactor = try s.double("high_freq_factor") ?? 4
            rope.originalMaxPositions = try s.int("original_max_position_embeddings") ?? 8192
        default:
            throw LayerError("rope type \"\(type)\" is not supported (default, linear, llama3 are)", at: json.file)
        }
        return rope
    }
}

/// A Llama-family causal LM config (`llama`, `qwen2`, and Llama-compatible `mistral` without
/// sliding windows). Qwen2 differs only in q/k/v biases and its defaults.
public struct LlamaConfig: Equatable, Sendable {
    public enum Family: String, Sendable { case llama, qwen2 }
    public var family: Family
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var numKVHeads: Int
    public var headDim: Int
    public var hiddenAct: Activation
    public var rmsNormEps: Float
    public var rope: RopeConfig
    public var tieWordEmbeddings: Bool
    /// Bias on q/k/v projections (Qwen2; Llama's `attention_bias`).
    public var qkvBias: Bool
    /// Bias on the output projection (Llama's `attention_bias`).
    public var oBias: Bool
    public var mlpBias: Bool
    public var maxPositionEmbeddings: Int
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    public var padTokenId: Int?
    /// Standard deviation of the normal initialisation of a randomly initialised model
    /// (transformers' `initializer_range`; 0.02 is its default).
    public var initializerRange: Float

    public init(family: Family = .llama, vocabSize: Int, hiddenSize: Int, intermediateSize: Int, numLayers: Int,
                numHeads: Int, numKVHeads: Int? = nil, headDim: Int? = nil, hiddenAct: Activation = .silu,
                rmsNormEps: Float = 1e-6, rope: RopeConfig = RopeConfig(theta: 10000), tieWordEmbeddings: Bool = false,
                qkvBias: Bool? = nil, oBias: Bool = false, mlpBias: Bool = false, maxPositionEmbeddings: Int = 2048,
                bosTokenId: Int? = 1, eosTokenId: Int? = 2, padTokenId: Int? = nil, initializerRange: Float = 0.02) {
        self.family = family
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numLayers = numLayers
        self.numHeads = numHeads
        self.numKVHeads = numKVHeads ?? numHeads
        self.headDim = headDim ?? hiddenSize / numHeads
        self.hiddenAct = hiddenAct
        self.rmsNormEps = rmsNormEps
        self.rope = rope
        self.tieWordEmbeddings = tieWordEmbeddings
        self.qkvBias = qkvBias ?? (family == .qwen2)
        self.oBias = oBias
        self.mlpBias = mlpBias
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.padTokenId = padTokenId
        self.initializerRange = initializerRange
    }

    /// Reads a transformers `config.json` object (a top-level LM config or llava's `text_config`).
    public init(json: JSONObject) throws {
        let type = try json.string("model_type") ?? "llama"
        let family: Family
        switch type {
        case "llama", "mistral": family = .llama
        case "qwen2": family = .qwen2
        default: throw LayerError("model_type \"\(type)\" is not a supported language model (llama, qwen2)", at: json.file)
        }
        if family == .qwen2, try json.bool("use_sliding_window") == true {
            throw LayerError("use_sliding_window is true; sliding-window attention is not supported", at: json.file)
        }
        let hidden = try json.requiredInt("hidden_size")
        let heads = try json.requiredInt("num_attention_heads")
        let actName = try json.string("hidden_act") ?? "silu"
        guard let act = Activation(hfName: actName) else { throw LayerError("hidden_act \"\(actName)\" is not supported", at: json.file) }
        let attentionBias = try json.bool("attention_bias") ?? false
        self.init(
            family: family,
            vocabSize: try json.requiredInt("vocab_size"),
            hiddenSize: hidden,
            intermediateSize: try json.requiredInt("intermediate_size"),
            numLayers: try json.requiredInt("num_hidden_layers"),
            numHeads: heads,
            numKVHeads: try json.int("num_key_value_heads"),
            headDim: try json.int("head_dim"),
            hiddenAct: act,
            rmsNormEps: Float(try json.double("rms_norm_eps") ?? 1e-6),
            rope: try RopeConfig.read(json),
            tieWordEmbeddings: try json.bool("tie_word_embeddings") ?? false,
            qkvBias: family == .qwen2 ? true : attentionBias,
            oBias: family == .qwen2 ? false : attentionBias,
            mlpBias: try json.bool("mlp_bias") ?? false,
            maxPositionEmbeddings: try json.int("max_position_embeddings") ?? 2048,
            bosTokenId: try json.int("bos_token_id"),
            eosTokenId: try json.int("eos_token_id"),
            padTokenId: try json.int("pad_token_id"),
            initializerRange: Float(try json.double("initializer_range") ?? 0.02))
        guard initializerRange > 0 else { throw LayerError("initializer_range \(initializerRange) must be positive", at: json.file) }
        guard numHeads > 0, numKVHeads > 0, numHeads % numKVHeads == 0 else {
            throw LayerError("num_attention_heads \(numHeads) is not a multiple of num_key_value_heads \(numKVHeads)", at: json.file)
        }
    }

    /// The config as transformers writes it (for models vlmtune saves).
    public var json: [String: Any] {
        var ropeParams: [String: Any] = ["rope_theta": rope.theta, "rope_type": rope.kind.rawValue]
        if rope.kind != .default { ropeParams["factor"] = rope.factor }
        if rope.kind == .llama3 {
            ropeParams["low_freq_factor"] = rope.lowFreqFactor
            ropeParams["high_freq_factor"] = rope.highFreqFactor
            ropeParams["original_max_position_embeddings"] = rope.originalMaxPositions
        }
        var d: [String: Any] = [
            "model_type": family.rawValue,
            "architectures": [family == .llama ? "LlamaForCausalLM" : "Qwen2ForCausalLM"],
            "vocab_size": vocabSize, "hidden_size": hiddenSize, "intermediate_size": intermediateSize,
            "num_hidden_layers": numLayers, "num_attention_heads": numHeads, "num_key_value_heads": numKVHeads,
            "head_dim": headDim, "hidden_act": hiddenAct.rawValue, "rms_norm_eps": rmsNormEps.jsonNumber,
            "rope_theta": rope.theta, "rope_parameters": ropeParams,
            "tie_word_embeddings": tieWordEmbeddings, "max_position_embeddings": maxPositionEmbeddings,
            "torch_dtype": "float32", "initializer_range": initializerRange.jsonNumber,
        ]
        if family == .llama {
            d["attention_bias"] = qkvBias
            d["mlp_bias"] = mlpBias
        }
        if let bosTokenId { d["bos_token_id"] = bosTokenId }
        if let eosTokenId { d["eos_token_id"] = eosTokenId }
        if let padTokenId { d["pad_token_id"] = padTokenId }
        return d
    }
}
