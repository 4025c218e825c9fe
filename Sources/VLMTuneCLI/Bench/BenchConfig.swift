import Foundation
import Models

/// A benchmark shape from `shared/bench/configs.json` (`tiny`, `small`).
struct BenchConfig {
    var name: String
    var vision: VisionConfig
    var llm: LlamaConfig
    var selectLayer: Int
    var microBatch: Int
    var seqLen: Int
    var imageTokens: Int
    var textTokens: Int
    var stage1LR: Double
    var stage2LR: Double
    var loraRank: Int
    var loraAlpha: Double
    var loraTargets: [String]

    /// Where the shared file is looked for, relative to the working directory.
    static let searchPaths = ["shared/bench/configs.json", "../shared/bench/configs.json"]

    static func load(_ name: String, path: String?) throws -> (BenchConfig, String) {
        let candidates = path.map { [$0] } ?? searchPaths
        guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw CLIError("benchmark shapes not found (looked for \(candidates.joined(separator: ", "))); pass --configs")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        guard let all = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw CLIError("not a JSON object", at: file) }
        guard let c = all[name] as? [String: Any] else {
            throw CLIError("no config \"\(name)\" (have \(all.keys.filter { !$0.hasPrefix("_") }.sorted().joined(separator: ", ")))", at: file)
        }
        func obj(_ k: String) throws -> [String: Any] {
            guard let o = c[k] as? [String: Any] else { throw CLIError("config \(name) lacks \(k)", at: file) }
            return o
        }
        var v = try obj("vision"), l = try obj("llm")
        let b = try obj("batch"), s1 = try obj("stage1"), s2 = try obj("stage2")
        v["model_type"] = (v["family"] as? String) == "siglip" ? "siglip_vision_model" : "clip_vision_model"
        l["model_type"] = l["family"] as? String ?? "llama"
        let lora = s2["lora"] as? [String: Any] ?? [:]
        let cfg = BenchConfig(
            name: name,
            vision: try VisionConfig(json: JSONObject(dict: v, file: file + ":" + name + ".vision")),
            llm: try LlamaConfig(json: JSONObject(dict: l, file: file + ":" + name + ".llm")),
            selectLayer: v["select_layer"] as? Int ?? -2,
            microBatch: b["micro_batch"] as? Int ?? 1, seqLen: b["seq_len"] as? Int ?? 0,
            imageTokens: b["image_tokens"] as? Int ?? 0, textTokens: b["text_tokens"] as? Int ?? 0,
            stage1LR: s1["lr"] as? Double ?? 1e-3, stage2LR: s2["lr"] as? Double ?? 2e-4,
            loraRank: lora["r"] as? Int ?? 0, loraAlpha: (lora["alpha"] as? NSNumber)?.doubleValue ?? 16,
            loraTargets: lora["targets"] as? [String] ?? [])
        return (cfg, file)
    }

    /// Matmul FLOPs of each part of a step, by the same formula as the PyTorch reference
    /// script (`flop_estimate`: 2mnk per product, attention counted as the full S x S).
    struct Flops {
        var vision, projector, llmForward, llmBackwardActivations, loraForward: Double
        var eval: Double { vision + projector + llmForward }
        func step(stage: Int) -> Double {
            vision + 2 * projector + llmForward + llmBackwardActivations + (stage == 2 ? 3 * loraForward : 0)
        }
    }

    var flops: Flops {
        let n = Double(vision.gridSize * vision.gridSize), t = n + 1
        let dv = Double(vision.hiddenSize), iv = Double(vision.intermediateSize), lv = Double(vision.numLayers)
        let b = Double(microBatch), s = Double(seqLen)
        let vis = b * (2 * n * 3 * Double(vision.patchSize * vision.patchSize) * dv
                       + lv * (t * 2 * (4 * dv * dv + 2 * dv * iv) + 2 * 2 * t * t * dv))
        let d = Double(llm.hiddenSize), i = Double(llm.intermediateSize), l = Double(llm.numLayers), vocab = Double(llm.vocabSize)
        let kvd = Double(llm.headDim * llm.numKVHeads)
        let lin = b * s * l * 2 * (d * (d + 2 * kvd) + d * d + 3 * d * i)
        let attn = b * l * 2 * 2 * s * s * d
        let head = b * s * 2 * d * vocab
        let r = Double(loraRank)
        let perToken = l * 2 * r * ((d + d) + 2 * (d + kvd) + (d + d) + 2 * (d + i) + (i + d))
        return Flops(vision: vis, projector: b * n * 2 * (dv * d + d * d), llmForward: lin + attn + head,
                     llmBackwardActivations: lin + 2 * attn + head, loraForward: b * s * perToken)
    }
}
