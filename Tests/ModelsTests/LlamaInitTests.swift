import XCTest
import Models
import Tensors

/// A randomly initialised LLM follows transformers' `_init_weights`: matrices normal(0,
/// initializer_range), biases zero, norms one. The scale matters: the demo's 128-wide LLM
/// learns to look things up in its context at 0.15 and not at 0.02 (README).
final class LlamaInitTests: XCTestCase {
    func config(_ extra: [String: Any] = [:]) throws -> LlamaConfig {
        var d: [String: Any] = ["model_type": "qwen2", "vocab_size": 300, "hidden_size": 64, "intermediate_size": 128,
                                "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2]
        d.merge(extra) { $1 }
        return try LlamaConfig(json: JSONObject(dict: d, file: "config.json"))
    }

    func std(_ t: Tensor) -> Double {
        let x = t.scalars.map(Double.init)
        let mean = x.reduce(0, +) / Double(x.count)
        return (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)).squareRoot()
    }

    func testMatricesFollowInitializerRange() throws {
        for (range, c) in [(0.02, try config()), (0.15, try config(["initializer_range": 0.15]))] {
            XCTAssertEqual(Double(c.initializerRange), range, accuracy: 1e-6)
            let model = LlamaForCausalLM(config: c, seed: 3)
            let layer = model.layers[0]
            for (name, w) in [("embed", model.embedTokens.weight), ("q", layer.selfAttn.qProj.weight), ("o", layer.selfAttn.oProj.weight),
                              ("gate", layer.mlp.gateProj.weight), ("down", layer.mlp.downProj.weight)] {
                XCTAssertEqual(std(w), range, accuracy: range * 0.08, "\(name) at initializer_range \(range)")
            }
            XCTAssertEqual(Set(layer.selfAttn.qProj.bias!.scalars), [0], "qwen2's q/k/v biases start at zero")
            XCTAssertEqual(Set(layer.inputLayernorm.weight.scalars), [1])
        }
    }

    func testSavedConfigKeepsInitializerRange() throws {
        let c = try config(["initializer_range": 0.1])
        XCTAssertEqual(try LlamaConfig(json: JSONObject(dict: c.json, file: "saved.json")), c)
    }

    func testNonPositiveInitializerRangeIsAnError() {
        XCTAssertThrowsError(try config(["initializer_range": 0])) { err in
            XCTAssert("\(err)".contains("initializer_range"), "\(err)")
        }
    }
}
