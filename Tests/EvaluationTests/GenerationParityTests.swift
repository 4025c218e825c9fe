import Foundation
import XCTest
import Models
import Tensors
@testable import Evaluation

/// Greedy batched decoding (left-padded prompts of different lengths, KV cache) must give,
/// token for token, what transformers' `generate` gives on the same fixture model, with and
/// without its PEFT adapter (Tests/Fixtures/scripts/make_generation_fixtures.py).
final class GenerationParityTests: XCTestCase {
    struct Reference: Decodable {
        let prompts: [[Int]]
        let max_new_tokens: Int
        let base: [[Int]]
        let with_adapter: [[Int]]
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models/llama").path

    func generate(_ lm: LlamaForCausalLM, _ ref: Reference) throws -> [[Int]] {
        let width = ref.prompts.map(\.count).max()!
        var ids: [Int64] = [], mask: [[Float]] = [], positions: [[Int]] = []
        for p in ref.prompts {
            let pad = width - p.count
            ids += [Int64](repeating: 0, count: pad) + p.map(Int64.init)
            mask.append([Float](repeating: 0, count: pad) + [Float](repeating: 1, count: p.count))
            positions.append([Int](repeating: 0, count: pad) + Array(0..<p.count))
        }
        let embeddings = try noGrad { try lm.embed(Tensor(shape: [ref.prompts.count, width], int64s: ids)) }
        return try Decoding.generate(lm, embeddings: embeddings, mask: mask, positions: positions, history: ref.prompts,
                                     eos: [], options: GenerationOptions(maxNewTokens: ref.max_new_tokens))
    }

    func testGreedyGenerationMatchesTransformers() throws {
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: Self.folder + "/generation.json")))
        let lm = try ModelLoader.loadCausalLM(folder: Self.folder)
        XCTAssertEqual(try generate(lm, ref), ref.base, "base model")
        try PEFT.load(folder: Self.folder + "/adapter", into: lm)
        XCTAssertEqual(try generate(lm, ref), ref.with_adapter, "with the PEFT adapter")
    }
}
