import XCTest
import Models

/// Configs vlmtune writes hold the decimals that were read (`1e-05`, not the Float widened to
/// `9.999999747378752e-06`), so a model exported from vlmtune keeps its source config's values.
final class SavedConfigTests: XCTestCase {
    func testLlamaConfigWritesTheDecimalsItRead() throws {
        let c = try LlamaConfig(json: JSONObject(dict: [
            "model_type": "llama", "vocab_size": 300, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1,
            "num_attention_heads": 4, "num_key_value_heads": 2, "rms_norm_eps": 1e-5, "initializer_range": 0.15,
        ], file: "config.json"))
        XCTAssertEqual(c.json["rms_norm_eps"] as? Double, 1e-5)
        XCTAssertEqual(c.json["initializer_range"] as? Double, 0.15)
        let text = String(decoding: try JSONSerialization.data(withJSONObject: c.json), as: UTF8.self)
        XCTAssert(text.contains("\"rms_norm_eps\":1e-05"), text)
        XCTAssert(text.contains("\"initializer_range\":0.15"), text)
    }

    func testVisionConfigWritesTheDecimalsItRead() throws {
        let c = try VisionConfig(json: JSONObject(dict: ["model_type": "siglip_vision_model", "layer_norm_eps": 1e-6], file: "config.json"))
        XCTAssertEqual(c.json["layer_norm_eps"] as? Double, 1e-6)
    }
}
