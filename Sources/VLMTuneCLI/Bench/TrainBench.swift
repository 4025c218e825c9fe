import Foundation
import Layers
import Models
import Tensors
import Training

/// `vlmtune bench --config C --stage 1|2|eval|generate`: the benchmark shapes with random
/// seeded weights and a synthetic batch, timed as the PyTorch reference times them
/// (warm-up steps, then the median of timed steps), with a split per phase.
struct TrainBench {
    let config: BenchConfig
    let stage: String
    let steps: Int
    let warmup: Int
    /// Frozen LLM matrices stored as bf16 (`--llm-dtype bfloat16`).
    var llmBF16 = false

    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    /// The model, random and seeded (seed 0, as the reference's torch.manual_seed(0) in spirit).
    func model() -> LlavaModel {
        let c = LlavaConfig(vision: config.vision, text: config.llm, projector: .mlpGelu(depth: 2), projectorBias: true,
                            visionFeatureLayers: [config.selectLayer], dropFirstFeature: config.vision.family == .clip,
                            imageTokenId: config.llm.vocabSize - 1)
        let m = LlavaModel(config: c, seed: 0)
        m.setTrainable(false)
        if llmBF16 {
            try? m.llm.walk(.base) { _, t in if t.rank >= 2 { t = t.cast(.bfloat16) } }
        }
        return m
    }

    /// [BOS] + one image + random text, labels on the text only.
    func batch(size: Int, textTokens: Int, seed: UInt64) -> MultimodalBatch {
        var rng = RandomGenerator(seed: seed)
        var ids: [[Int32]] = [], labels: [[Int32]] = []
        for _ in 0..<size {
            let text = (0..<textTokens).map { _ in Int32(3 + rng.nextInt(below: config.llm.vocabSize - 4)) }
            ids.append([1, MultimodalBatch.imagePlaceholder] + text)
            labels.append([-100, -100] + text)
        }
        let s = config.vision.imageSize
        let images = Tensor.randn([size, 3, s, s], rng: &rng)
        return MultimodalBatch(inputIds: ids, labels: labels, images: images, imageCounts: Array(repeating: 1, count: size))
    }

    func run() throws -> [String: Any] {
        BLAS.ensureLoaded()
        let built = Date()
        let m = model()
        let buildSeconds = -built.timeIntervalSinceNow
        var result: [String: Any] = ["model_build_s": buildSeconds, "config": config.name, "stage": stage, "threads": Parallel.threads, "llm_dtype": llmBF16 ? "bfloat16" : "float32",
                                     "blas": BLAS.library.core ?? BLAS.library.path]
        switch stage {
        case "1", "2": try train(m, stage: Int(stage)!, into: &result)
        case "eval": try evalForward(m, into: &result)
        case "generate": try generate(m, into: &result)
        default: throw CLIError("--stage must be 1, 2, eval or generate, got \(stage)")
        }
        result["peak_rss_mb"] = Timing.peakRSSMiB()
        return result
    }

    func train(_ m: LlavaModel, stage: Int, into result: inout [String: Any]) throws {
        var lora: LoRASettings?
        if stage == 2 {
            let s = LoRASettings(rank: config.loraRank, alpha: config.loraAlpha, dropout: 0, targets: .names(config.loraTargets))
            PEFT.attach(s, to: m.llm, seed: 1)
            m.llm.setTrainable(true, .lora)
            lora = s
        }
        m.projector.setTrainable(true)
        let task = LlavaTask(model: m, stage: stage == 1 ? .align : .instruct, maxLength: config.seqLen, lora: lora)
        let params = m.trainableParameters()
        let opt = AdamW(groups: AdamW.groups(params, lr: stage == 1 ? config.stage1LR : config.stage2LR, projectorLR: nil,
                                             weightDecay: 0, isProjector: task.isProjectorParameter))
        let b = batch(size: config.microBatch, textTokens: config.seqLen - 1 - config.imageTokens, seed: 1)
        let peakBefore = MachinePeak.fmaGFLOPs()
        var records: [[String: Double]] = []
        var losses: [Double] = []
        let start = Date()
        for i in 0..<(warmup + steps) {
            if i == warmup { Profile.reset() }
            let t0 = Timing.now()
            let selected = try noGrad { try task.selectedFeatures(b.images!) }
            let t1 = Timing.now()
            let inputs = try m.splice(b, features: m.projector(selected), maxLength: config.seqLen)
            let loss = try m.llm.labelledLoss(inputsEmbeds: inputs.embeddings, attentionMask: inputs.attentionMask, labels: inputs.labels)
            let t2 = Timing.now()
            try loss.backward()
            let t3 = Timing.now()
            let norm = opt.gradientNorm()
            opt.clipGradients(maxNorm: 1, norm: norm)
            try opt.step(lrScale: 1)
            opt.zeroGrad()
            let t4 = Timing.now()
            losses.append(Double(loss.item()))
            let rec = ["step_s": t4 - t0, "vision_forward_s": t1 - t0, "llm_forward_s": t2 - t1, "backward_s": t3 - t2, "optimizer_s": t4 - t3]
            if i >= warmup { records.append(rec) }
            Log.info(String(format: "bench stage %d step %d %@ %.3fs loss %.4f", stage, i, i < warmup ? "warm" : "timed", t4 - t0, losses.last!))
        }
        if Profile.isEnabled { FileHandle.standardError.write(Profile.report().data(using: .utf8)!) }
        let step = median(records.map { $0["step_s"]! })
        let tokens = Double(config.microBatch * config.seqLen)
        let flops = config.flops.step(stage: stage)
        result["total_s"] = -start.timeIntervalSinceNow
        result["step_s"] = step
        result["tokens_per_s"] = tokens / step
        result["all_step_s"] = records.map { $0["step_s"]! }
        result["split_median_s"] = Dictionary(uniqueKeysWithValues: records[0].keys.map { k in (k, median(records.map { $0[k]! })) })
        result["losses"] = losses
        result["params_total"] = m.parameterCount()
        result["params_trainable"] = params.reduce(0) { $0 + $1.1.count }
        result["est_matmul_flops_per_step"] = flops
        result["est_achieved_gflops"] = flops / step / 1e9
        recordUtilisation(flops / step / 1e9, peakBefore: peakBefore, into: &result)
        result["micro_batch"] = config.microBatch
        result["seq_len"] = config.seqLen
    }

    func evalForward(_ m: LlavaModel, into result: inout [String: Any]) throws {
        let b = batch(size: config.microBatch, textTokens: config.seqLen - 1 - config.imageTokens, seed: 1)
        let peakBefore = MachinePeak.fmaGFLOPs()
        var times: [Double] = []
        for i in 0..<(warmup + steps) {
            let t0 = Timing.now()
            try noGrad {
                let inputs = try m.splice(b, features: m.imageFeatures(b.images!), maxLength: config.seqLen)
                _ = try m.llm.logits(m.llm.hiddenStates(inputsEmbeds: inputs.embeddings, attentionMask: inputs.attentionMask))
            }
            if i >= warmup { times.append(Timing.now() - t0) }
        }
        let t = median(times)
        result["forward_s"] = t
        result["tokens_per_s"] = Double(config.microBatch * config.seqLen) / t
        result["all_forward_s"] = times
        result["est_matmul_flops"] = config.flops.eval
        result["est_achieved_gflops"] = config.flops.eval / t / 1e9
        recordUtilisation(config.flops.eval / t / 1e9, peakBefore: peakBefore, into: &result)
    }

    /// Model FLOPs utilisation against the FMA ceiling measured in this process, before the
    /// warm-up and again after the timed steps: the higher of the two (a ceiling is a
    /// maximum; a neighbour on the shared host can take a core for one of the measurements).
    func recordUtilisation(_ achieved: Double, peakBefore: Double, into result: inout [String: Any]) {
        let peakAfter = MachinePeak.fmaGFLOPs()
        let peak = Swift.max(peakBefore, peakAfter)
        result["fma_peak_gflops"] = peak
        result["fma_peak_before_after_gflops"] = [peakBefore, peakAfter]
        result["mfu"] = achieved / peak
    }

    /// Batch 1: BOS + image + 16 text tokens, then 32 greedy tokens with a KV cache.
    func generate(_ m: LlavaModel, into result: inout [String: Any]) throws {
        let prompt = batch(size: 1, textTokens: 16, seed: 2)
        let newTokens = 32
        func run(_ n: Int) throws -> (Double, [Int]) {
            let t0 = Timing.now()
            let out = try noGrad { () -> [Int] in
                let inputs = try m.splice(prompt, features: m.imageFeatures(prompt.images!), maxLength: 100_000)
                let cache = KVCache(layers: m.llm.layers.count)
                var hidden = try m.llm.hiddenStates(inputsEmbeds: inputs.embeddings, cache: cache)
                var ids: [Int] = []
                for _ in 0..<n {
                    let last = try hidden.slice(dim: 1, start: hidden.shape[1] - 1, end: hidden.shape[1])
                    let next = argmax(try m.llm.logits(last))
                    ids.append(next)
                    hidden = try m.llm.hiddenStates(inputsEmbeds: m.llm.embed(Tensor(shape: [1, 1], int64s: [Int64(next)])), cache: cache)
                }
                return ids
            }
            return (Timing.now() - t0, out)
        }
        _ = try run(2)
        let prefill = median(try (0..<3).map { _ in try run(1).0 })
        var full: [Double] = []
        var ids: [Int] = []
        for _ in 0..<3 {
            let (t, out) = try run(newTokens)
            full.append(t)
            ids = out
        }
        let f = median(full)
        result["prompt_tokens"] = 1 + config.imageTokens + 16
        result["new_tokens"] = newTokens
        result["prefill_plus_first_token_s"] = prefill
        result["generate_s"] = f
        result["decode_tokens_per_s"] = Double(newTokens - 1) / (f - prefill)
        result["tokens_per_s"] = Double(newTokens) / f
        result["generated_ids_head"] = Array(ids.prefix(8))
        if Profile.isEnabled { FileHandle.standardError.write(Profile.report().data(using: .utf8)!) }
    }

    func argmax(_ logits: Tensor) -> Int {
        let v = logits.scalars
        var best = 0
        for i in 1..<v.count where v[i] > v[best] { best = i }
        return best
    }
}
