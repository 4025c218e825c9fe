import Foundation
import XCTest
import Formats
import Models
import Tensors

/// Broken model folders give one clear line naming the tensor or key and the file.
final class BadInputTests: XCTestCase {
    /// A copy of a fixture model folder that the test may damage.
    func copyOf(_ name: String) throws -> String {
        let dir = try temporaryFolder(self) + "/" + name
        try FileManager.default.copyItem(atPath: Fixtures.model(name), toPath: dir)
        return dir
    }

    func assertLoadError(_ folder: String, contains parts: [String], line: UInt = #line) {
        XCTAssertThrowsError(try ModelLoader.load(folder: folder), line: line) { err in
            let text = "\(err)"
            XCTAssertFalse(text.contains("\n"), "one line", line: line)
            for p in parts { XCTAssert(text.contains(p), "'\(text)' lacks '\(p)'", line: line) }
        }
    }

    func rewrite(_ path: String, _ change: (inout [String: Any]) -> Void) throws {
        var obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        change(&obj)
        try JSONSerialization.data(withJSONObject: obj).write(to: URL(fileURLWithPath: path))
    }

    func testTruncatedWeights() throws {
        let dir = try copyOf("qwen2")
        let file = dir + "/model.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: file))
        assertLoadError(dir, contains: ["truncated", "model.safetensors"])
    }

    func testMissingTensor() throws {
        let dir = try copyOf("qwen2")
        let file = dir + "/model.safetensors"
        var tensors = try SafeTensors.read(file).mapValues { $0.copy() }
        tensors.removeValue(forKey: "model.layers.1.mlp.up_proj.weight")
        try SafeTensors.write(tensors, to: file)
        assertLoadError(dir, contains: ["missing tensor model.layers.1.mlp.up_proj.weight", dir])
    }

    func testShapeMismatchAgainstConfig() throws {
        let dir = try copyOf("qwen2")
        try rewrite(dir + "/config.json") { $0["intermediate_size"] = 50 }
        assertLoadError(dir, contains: ["model.layers.0.mlp.gate_proj.weight", "[48, 36]", "[50, 36]"])
    }

    func testUnknownModelType() throws {
        let dir = try copyOf("qwen2")
        try rewrite(dir + "/config.json") { $0["model_type"] = "mamba" }
        assertLoadError(dir, contains: ["unknown model_type \"mamba\"", "config.json"])
    }

    func testMistypedConfigValue() throws {
        let dir = try copyOf("clip_vision")
        try rewrite(dir + "/config.json") { $0["num_hidden_layers"] = "three" }
        assertLoadError(dir, contains: ["num_hidden_layers must be an integer", "config.json"])
    }

    func testMissingFolder() {
        assertLoadError("/nonexistent/model", contains: ["file not found", "/nonexistent/model/config.json"])
    }

    func testImageTokenCountMismatchIsAnError() throws {
        let (m, _) = try ModelLoader.loadLlava(folder: Fixtures.model("llava"))
        let inp = try SafeTensors.read(Fixtures.model("llava") + "/inputs.safetensors")
        let pixels = try inp["pixel_values"]!.slice(dim: 0, start: 0, end: 2)
        XCTAssertThrowsError(try noGrad { try m.logits(ids: inp["input_ids"]!, pixels: pixels) }) { err in
            XCTAssert("\(err)".contains("image tokens"), "\(err)")
        }
    }
}
