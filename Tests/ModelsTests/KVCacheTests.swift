import XCTest
import Formats
import Models
import Tensors

/// Incremental decoding with a KV cache must give the logits of a full forward pass.
final class KVCacheTests: XCTestCase {
    func testCachedDecodingMatchesFullForward() throws {
        let lm = try ModelLoader.loadCausalLM(folder: Fixtures.model("llama"))
        let ids = try SafeTensors.read(Fixtures.model("llama") + "/inputs.safetensors")["input_ids"]!
        let b = ids.shape[0], t = ids.shape[1]
        try noGrad {
            let full = try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(ids)))
            // prefill all but the last token with a cache, an explicit all-ones mask and positions
            let cache = KVCache(layers: lm.layers.count)
            let prefix = try ids.slice(dim: 1, start: 0, end: t - 1).contiguous()
            let mask1 = Tensor.ones([b, t - 1])
            let pos = Array(repeating: Array(0..<(t - 1)), count: b)
            let h1 = try lm.hiddenStates(inputsEmbeds: lm.embed(prefix), positions: pos, attentionMask: mask1, cache: cache)
            let l1 = try lm.logits(h1)
            XCTAssertLessThan(relativeError(l1, try full.slice(dim: 1, start: 0, end: t - 1).contiguous()), 1e-5, "prefill")
            let last = try ids.slice(dim: 1, start: t - 1, end: t).contiguous()
            let h2 = try lm.hiddenStates(inputsEmbeds: lm.embed(last), positions: Array(repeating: [t - 1], count: b),
                                         attentionMask: Tensor.ones([b, t]), cache: cache)
            let l2 = try lm.logits(h2)
            XCTAssertLessThan(relativeError(l2, try full.slice(dim: 1, start: t - 1, end: t).contiguous()), 1e-5, "decode step")
        }
    }
}
