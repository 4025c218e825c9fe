import Foundation
import Models
import Tensors

/// How tokens are chosen.
public struct GenerationOptions: Sendable {
    public var maxNewTokens: Int
    /// 0: greedy.
    public var temperature: Float
    /// Keep the k most likely tokens (0: all).
    public var topK: Int
    /// Keep the smallest set of tokens whose probability reaches p (1: all).
    public var topP: Float
    /// HF's repetition penalty: logits of tokens already in the sequence are divided by it
    /// (multiplied when negative).
    public var repetitionPenalty: Float
    /// Generation of a row ends at the first of these strings (not included in the answer).
    public var stop: [String]
    public var seed: UInt64

    public init(maxNewTokens: Int = 32, temperature: Float = 0, topK: Int = 0, topP: Float = 1, repetitionPenalty: Float = 1,
                stop: [String] = [], seed: UInt64 = 0) {
        self.maxNewTokens = maxNewTokens
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.repetitionPenalty = repetitionPenalty
        self.stop = stop
        self.seed = seed
    }
}

/// Batched autoregressive decoding with a KV cache, from prompt embeddings (left-padded).
public enum Decoding {
    /// New token ids per row (EOS excluded; rows stop at EOS, at `stopCheck`, or after
    /// `maxNewTokens`).
    /// - embeddings: [B, T, D] prompt embeddings, left-padded; mask [B, T] 1 on real tokens.
    /// - history: token ids already in each row (for the repetition penalty).
    public static func generate(_ llm: LlamaForCausalLM, embeddings: Tensor, mask: [[Float]], positions: [[Int]],
                                history: [[Int]], eos: Set<Int>, options: GenerationOptions,
                                stopCheck: (Int, [Int]) -> Bool = { _, _ in false }) throws -> [[Int]] {
        try noGrad {
            let b = embeddings.shape[0]
            let cache = KVCache(layers: llm.layers.count)
            var maskRows = mask
            var pos = positions
            var rng = RandomGenerator(seed: options.seed)
            var out = [[Int]](repeating: [], count: b)
            var done = [Bool](repeating: false, count: b)
            var seen = history
            var hidden = try llm.hiddenStates(inputsEmbeds: embeddings, positions: pos, attentionMask: Tensor(shape: [b, mask[0].count], scalars: maskRows.flatMap { $0 }), cache: cache)
            for _ in 0..<options.maxNewTokens {
                let t = hidden.shape[1]
                let logits = try llm.logits(hidden.slice(dim: 1, start: t - 1, end: t)).reshape([b, -1])
                let v = logits.shape[1]
                let values = logits.scalars
                var next = [Int](repeating: 0, count: b)
                for r in 0..<b {
                    var row = Array(values[(r * v)..<((r + 1) * v)])
                    next[r] = choose(&row, seen: seen[r], options: options, rng: &rng)
                    if done[r] { continue }
                    if eos.contains(next[r]) {
                        done[r] = true
                        continue
                    }
                    out[r].append(next[r])
                    seen[r].append(next[r])
                    if stopCheck(r, out[r]) { done[r] = true }
                }
                if done.allSatisfy({ $0 }) { break }
                for r in 0..<b {
                    maskRows[r].append(1)
                    pos[r] = [(pos[r].last ?? -1) + 1]
                }
                let ids = try Tensor(shape: [b, 1], int64s: next.map(Int64.init))
                let fullMask = try Tensor(shape: [b, maskRows[0].count], scalars: maskRows.flatMap { $0 })
                hidden = try llm.hiddenStates(inputsEmbeds: llm.embed(ids), positions: pos, attentionMask: fullMask, cache: cache)
            }
            return out
        }
    }

    /// Picks a token from one row of logits (modified in place).
    static func choose(_ logits: inout [Float], seen: [Int], options o: GenerationOptions, rng: inout RandomGenerator) -> Int {
        if o.repetitionPenalty != 1 {
            for id in Set(seen) where id >= 0 && id < logits.count {
                logits[id] = logits[id] < 0 ? logits[id] * o.repetitionPenalty : logits[id] / o.repetitionPenalty
            }
        }
        if o.temperature <= 0 {
            var best = 0
            for i in 1..<logits.count where logits[i] > logits[best] { best = i }
            return best
        }
        var order = Array(logits.indices).sorted { logits[$0] > logits[$1] }
        if o.topK > 0 { order = Array(order.prefix(o.topK)) }
        let m = logits[order[0]]
        var probs = order.map { Foundation.exp(Double((logits[$0] - m) / o.temperature)) }
        let total = probs.reduce(0, +)
        probs = probs.map { $0 / total }
        if o.topP < 1 {
            var cum = 0.0, keep = 0
            while keep < probs.count {
                cum += probs[keep]
                keep += 1
                if cum >= Double(o.topP) { break }
            }
            order = Array(order.prefix(keep))
            probs = Array(probs.prefix(keep))
            let s = probs.reduce(0, +)
            probs = probs.map { $0 / s }
        }
        var u = rng.nextDouble()
        for (i, p) in probs.enumerated() {
            u -= p
            if u <= 0 { return order[i] }
        }
        return order.last!
    }
}
