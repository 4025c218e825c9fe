import Foundation
import Models
import Shards
import Tensors
import Training

/// `vlmtune plan`: what a recipe would do, without loading weights or training: parameter
/// counts from the configs, a memory estimate, FLOPs per optimizer step, the data's counts
/// and a time estimate from a short matrix-multiply calibration on this machine.
///
/// Counts are exact (they follow the module definitions); memory and time are estimates,
/// labelled as such: activations follow a per-layer tally of what the backward pass keeps,
/// time assumes the step runs at a fixed fraction of the measured GEMM rate.
public struct TrainingPlan {
    public struct Part {
        public var name: String
        public var parameters: Int
        public var trainable: Int
        public var bytesPerWeight: Int
    }

    public var recipe: Recipe
    public var parts: [Part] = []
    public var samples = 0, tokens = 0, images = 0
    public var skipped: [String: Int] = [:]
    /// data.train when it holds no shard index yet (the plan then assumes data.max_length).
    public var dataMissing: String?
    /// Text tokens plus image features of one micro-batch (the sequence the LLM sees).
    public var sequenceTokensPerSample = 0.0
    public var stepsPerEpoch = 0, totalSteps = 0
    public var microBatch = 0, globalBatch = 0
    public var flopsPerStep = 0.0
    public var weightBytes = 0.0, optimizerBytes = 0.0, activationBytes = 0.0
    public var measuredGFLOPs = 0.0
    /// The share of the GEMM rate a training step reaches (measured on the bench shapes:
    /// docs/PERFORMANCE.md).
    public static let stepEfficiency = 0.5

    public var totalParameters: Int { parts.reduce(0) { $0 + $1.parameters } }
    public var trainableParameters: Int { parts.reduce(0) { $0 + $1.trainable } }
    public var secondsPerStep: Double { measuredGFLOPs > 0 ? flopsPerStep / (measuredGFLOPs * 1e9 * Self.stepEfficiency) : 0 }

    public init(recipe r: Recipe, calibrate: Bool = true) throws {
        recipe = r
        microBatch = r.int("train.micro_batch") ?? 4
        globalBatch = r.int("train.global_batch") ?? 128
        let checkpointing = r.bool("train.gradient_checkpointing") ?? false
        if let folder = r.string("data.train") { try readData(folder) }
        let maxLength = r.int("data.max_length") ?? 2048
        let samplesPerStep = Double(globalBatch)
        let textPerSample = samples > 0 ? Double(tokens) / Double(samples) : Double(maxLength)
        let imagesPerSample = samples > 0 ? Double(images) / Double(samples) : 1
        stepsPerEpoch = samples > 0 ? (samples + globalBatch - 1) / globalBatch : 0
        if let maxSteps = r.int("train.max_steps") {
            totalSteps = maxSteps
        } else {
            totalSteps = Int((Double(stepsPerEpoch) * (r.double("train.epochs") ?? 1)).rounded(.up))
        }

        switch r.stage {
        case .lmPretrain:
            let c = try StageSetup.llmConfig(r)
            let n = Self.llmParameters(c)
            parts.append(Part(name: "llm", parameters: n, trainable: n, bytesPerWeight: 4))
            sequenceTokensPerSample = min(textPerSample, Double(maxLength))
            let t = sequenceTokensPerSample
            flopsPerStep = 3 * Self.llmForwardFLOPs(c, tokens: t, sequence: t) * samplesPerStep
            activationBytes = Self.llmActivationBytes(c, tokens: t * Double(microBatch), sequence: t, checkpointing: checkpointing)
        case .clip:
            let v = try StageSetup.visionConfig(r)
            let n = Self.visionParameters(v)
            parts.append(Part(name: "vision tower", parameters: n, trainable: n, bytesPerWeight: 4))
            sequenceTokensPerSample = Double(v.sequenceLength)
            flopsPerStep = 3 * Self.visionForwardFLOPs(v) * samplesPerStep * 1.5 // + the text encoder, about half as large
            activationBytes = Self.visionActivationBytes(v, images: Double(microBatch)) * 1.5
        case .align, .instruct, .full:
            let v = try StageSetup.visionConfig(r)
            let c = try StageSetup.llmConfig(r)
            let layer = r.int("model.vision.select_layer") ?? -2
            let usedLayers = layer < 0 ? v.numLayers + 1 + layer : layer
            let features = v.gridSize * v.gridSize + (v.family == .clip && r.string("model.vision.select_feature") == "cls_patch" ? 1 : 0)
            let projKind = Projector.Kind(name: r.string("model.projector.type") ?? "mlp2x_gelu") ?? .mlpGelu(depth: 2)
            let visionTrains = r.bool("model.vision.freeze") == false
            let llmTrains = r.stage == .full ? r.bool("model.llm.freeze") != true : r.bool("model.llm.freeze") == false
            let frozenBytes = r.string("model.llm.dtype") == "bfloat16" ? 2 : 4
            let nv = Self.visionParameters(v), nl = Self.llmParameters(c)
            parts.append(Part(name: "vision tower", parameters: nv, trainable: visionTrains ? nv : 0, bytesPerWeight: 4))
            let np = Self.projectorParameters(projKind, visionHidden: v.hiddenSize, textHidden: c.hiddenSize)
            parts.append(Part(name: "projector", parameters: np, trainable: np, bytesPerWeight: 4))
            parts.append(Part(name: "llm", parameters: nl, trainable: llmTrains ? nl : 0, bytesPerWeight: llmTrains ? 4 : frozenBytes))
            let rank = r.int("model.lora.r") ?? 0
            if rank > 0 {
                let nLoRA = Self.loraParameters(c, rank: rank, targets: r.strings("model.lora.targets"))
                parts.append(Part(name: "lora", parameters: nLoRA, trainable: nLoRA, bytesPerWeight: 4))
            }
            sequenceTokensPerSample = min(textPerSample - imagesPerSample + imagesPerSample * Double(features), Double(maxLength))
            let t = sequenceTokensPerSample
            // The LLM's backward computes input gradients (2x forward) even when frozen, plus
            // weight gradients (1x) when it trains; the frozen tower runs forward only, up to
            // the selected layer.
            let llmFactor = llmTrains ? 3.0 : 2.0
            let visionFLOPs = Self.visionForwardFLOPs(v) * Double(usedLayers) / Double(max(v.numLayers, 1)) * (visionTrains ? 3 : 1)
            flopsPerStep = (llmFactor * Self.llmForwardFLOPs(c, tokens: t, sequence: t) + imagesPerSample * visionFLOPs) * samplesPerStep
            activationBytes = Self.llmActivationBytes(c, tokens: t * Double(microBatch), sequence: t, checkpointing: checkpointing)
                + (visionTrains ? Self.visionActivationBytes(v, images: imagesPerSample * Double(microBatch)) : 0)
        }
        weightBytes = parts.reduce(0) { $0 + Double($1.parameters - $1.trainable) * Double($1.bytesPerWeight) + Double($1.trainable) * 4 }
        // AdamW keeps the gradient and two moments per trainable value.
        optimizerBytes = Double(trainableParameters) * 12
        if calibrate { measuredGFLOPs = Self.calibrateGEMM() }
    }

    mutating func readData(_ folder: String) throws {
        guard FileManager.default.fileExists(atPath: folder + "/" + ShardIndex.fileName) else {
            dataMissing = folder
            return
        }
        let index = try ShardIndex.read(fromFolder: folder)
        samples = index.sampleCount
        tokens = index.tokenCount
        images = index.shards.reduce(0) { $0 + $1.images }
        skipped = index.skipped
    }

    // MARK: parameter counts (as the modules define them)

    public static func llmParameters(_ c: LlamaConfig) -> Int {
        let d = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKVHeads * c.headDim, i = c.intermediateSize
        var layer = d * q + 2 * d * kv + q * d + 3 * d * i + 2 * d
        if c.qkvBias { layer += q + 2 * kv }
        if c.oBias { layer += d }
        if c.mlpBias { layer += 2 * i + d }
        return c.vocabSize * d * (c.tieWordEmbeddings ? 1 : 2) + c.numLayers * layer + d
    }

    public static func visionParameters(_ v: VisionConfig) -> Int {
        let d = v.hiddenSize, i = v.intermediateSize, n = v.gridSize * v.gridSize
        var total = v.numChannels * v.patchSize * v.patchSize * d
        switch v.family {
        case .clip: total += d + (n + 1) * d + 2 * d // class embedding, positions, pre_layrnorm
        case .siglip: total += d + n * d // patch bias, positions
        }
        let layer = 4 * (d * d + d) + (d * i + i) + (i * d + d) + 4 * d
        return total + v.numLayers * layer + 2 * d
    }

    public static func projectorParameters(_ k: Projector.Kind, visionHidden: Int, textHidden: Int) -> Int {
        switch k {
        case .linear: return visionHidden * textHidden + textHidden
        case .mlpGelu(let depth): return visionHidden * textHidden + textHidden + (depth - 1) * (textHidden * textHidden + textHidden)
        }
    }

    public static func loraParameters(_ c: LlamaConfig, rank: Int, targets: [String]) -> Int {
        let d = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKVHeads * c.headDim, i = c.intermediateSize
        let shapes: [String: (Int, Int)] = ["q_proj": (d, q), "k_proj": (d, kv), "v_proj": (d, kv), "o_proj": (q, d),
                                            "gate_proj": (d, i), "up_proj": (d, i), "down_proj": (i, d)]
        var perLayer = 0
        for t in targets { if let (a, b) = shapes[t] { perLayer += rank * (a + b) } }
        return perLayer * c.numLayers
    }

    // MARK: FLOPs and memory

    /// Forward FLOPs of the LLM for `tokens` tokens in sequences of length `sequence`:
    /// 2 per weight per token, attention scores and mixing, and the output projection.
    static func llmForwardFLOPs(_ c: LlamaConfig, tokens t: Double, sequence s: Double) -> Double {
        let d = Double(c.hiddenSize), q = Double(c.numHeads * c.headDim), kv = Double(c.numKVHeads * c.headDim), i = Double(c.intermediateSize)
        let weights = d * q + 2 * d * kv + q * d + 3 * d * i
        // Causal attention: each token sees on average half the sequence.
        let attention = 2 * 2 * q * s / 2
        return t * (Double(c.numLayers) * (2 * weights + attention) + 2 * d * Double(c.vocabSize))
    }

    static func visionForwardFLOPs(_ v: VisionConfig) -> Double {
        let d = Double(v.hiddenSize), i = Double(v.intermediateSize), n = Double(v.sequenceLength)
        let patch = 2 * Double(v.numChannels * v.patchSize * v.patchSize) * d * Double(v.gridSize * v.gridSize)
        let layer = n * (2 * (4 * d * d + 2 * d * i) + 4 * d * n)
        return patch + Double(v.numLayers) * layer
    }

    /// What the backward pass keeps per layer and token (f32): norm outputs, q/k/v, the
    /// attention output, the MLP's gate/up/activation/product, plus the attention
    /// probabilities; with checkpointing only each layer's input and one layer's worth.
    static func llmActivationBytes(_ c: LlamaConfig, tokens: Double, sequence: Double, checkpointing: Bool) -> Double {
        let d = Double(c.hiddenSize), kv = Double(c.numKVHeads * c.headDim), i = Double(c.intermediateSize)
        let perToken = 6 * d + 2 * kv + 5 * i + Double(c.numHeads) * sequence
        let layers = Double(c.numLayers)
        let logits = tokens * Double(c.vocabSize) * 2
        if checkpointing { return 4 * (tokens * (layers * d + perToken) + logits) }
        return 4 * (tokens * layers * perToken + logits)
    }

    static func visionActivationBytes(_ v: VisionConfig, images: Double) -> Double {
        let d = Double(v.hiddenSize), i = Double(v.intermediateSize), n = Double(v.sequenceLength)
        return 4 * images * n * Double(v.numLayers) * (8 * d + 3 * i + Double(v.numHeads) * n)
    }

    /// GFLOP/s of a 1024x1024x1024 sgemm through the engine's BLAS (best of three).
    static func calibrateGEMM() -> Double {
        let n = 1024
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.sgemm(transA: false, transB: false, m: n, n: n, k: n, a: pa.baseAddress!, lda: n, b: pb.baseAddress!, ldb: n,
                                   c: pc.baseAddress!, ldc: n)
                    }
                }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    // MARK: report

    public var report: String {
        func count(_ n: Int) -> String {
            let x = Double(n)
            if x >= 1e9 { return String(format: "%.2fB", x / 1e9) }
            if x >= 1e6 { return String(format: "%.2fM", x / 1e6) }
            if x >= 1e3 { return String(format: "%.1fK", x / 1e3) }
            return "\(n)"
        }
        func gib(_ b: Double) -> String { b >= 1_073_741_824 ? String(format: "%.2f GiB", b / Double(1 << 30)) : String(format: "%.1f MiB", b / Double(1 << 20)) }
        var lines = ["plan for \(recipe.file) (stage \(recipe.stage.rawValue))", "", "parameters:"]
        for p in parts {
            lines.append("  " + p.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + count(p.parameters).padding(toLength: 10, withPad: " ", startingAt: 0) + "trainable " + count(p.trainable))
        }
        let share = totalParameters > 0 ? 100 * Double(trainableParameters) / Double(totalParameters) : 0
        lines.append(String(format: "  total         %@ trainable %@ (%.3f%%)", count(totalParameters), count(trainableParameters), share))
        lines.append("")
        if let dataMissing {
            lines.append("data: no shards at \(dataMissing) yet: sequences taken as data.max_length, steps unknown")
        } else {
            lines.append("data: \(samples) samples, \(tokens) text tokens, \(images) images"
            + (skipped.isEmpty ? "" : "; skipped at conversion: " + skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        }
        lines.append(String(format: "  about %.0f tokens per sample as the model sees them (images as features)", sequenceTokensPerSample))
        lines.append("  global batch \(globalBatch) (micro-batch \(microBatch), \(max(globalBatch / max(microBatch, 1), 1)) accumulation steps); \(stepsPerEpoch) steps per epoch, \(totalSteps) steps in all")
        lines.append("")
        lines.append("memory (estimate): weights \(gib(weightBytes)), gradients + AdamW \(gib(optimizerBytes)), activations per micro-batch \(gib(activationBytes)); about \(gib(weightBytes + optimizerBytes + activationBytes)) in all")
        lines.append(String(format: "compute: %.3g FLOPs per optimizer step (%.3g per epoch)", flopsPerStep, flopsPerStep * Double(stepsPerEpoch)))
        if measuredGFLOPs > 0 {
            let total = secondsPerStep * Double(totalSteps)
            lines.append(String(format: "time (estimate): sgemm here %.0f GFLOP/s, a step at %.0f%% of it: %.2f s per step, %@ for %d steps",
                                measuredGFLOPs, Self.stepEfficiency * 100, secondsPerStep, Self.duration(total), totalSteps))
        }
        return lines.joined(separator: "\n")
    }

    static func duration(_ s: Double) -> String {
        if s < 120 { return String(format: "%.0f s", s) }
        if s < 7200 { return String(format: "%.1f min", s / 60) }
        if s < 172_800 { return String(format: "%.1f h", s / 3600) }
        return String(format: "%.1f days", s / 86400)
    }
}
