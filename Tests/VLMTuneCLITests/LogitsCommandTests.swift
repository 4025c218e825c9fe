import XCTest
import Formats
import Tensors
@testable import VLMTuneCLI

/// `vlmtune logits` as a user runs it: files in, files out, one-line errors.
final class LogitsCommandTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models")

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    func tmp() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.path
    }

    func run(_ args: [String]) throws {
        let cmd = try Logits.parse(args)
        try cmd.run()
    }

    func maxRelative(_ a: Tensor, _ b: Tensor) -> Float {
        let av = a.scalars, bv = b.scalars
        let scale = bv.map(abs).max() ?? 1
        return zip(av, bv).map { abs($0 - $1) }.max()! / scale
    }

    func testCausalLMWithAdapterGradients() throws {
        let out = try tmp() + "/out.safetensors"
        let model = fixture("llama")
        try run(["--model", model, "--adapter", model + "/adapter", "--input", model + "/inputs.safetensors",
                 "--output", out, "--grad-adapter"])
        let got = try SafeTensors.read(out), exp = try SafeTensors.read(model + "/expected_adapter.safetensors")
        XCTAssertEqual(Set(got.keys), Set(exp.keys))
        XCTAssertLessThan(maxRelative(got["logits"]!, exp["logits"]!), 1e-4)
        XCTAssertEqual(got["loss"]!.item(), exp["loss"]!.item(), accuracy: 1e-5)
        for k in exp.keys where k.contains("lora_") { XCTAssertLessThan(maxRelative(got[k]!, exp[k]!), 1e-3, k) }
    }

    func testVisionTowerOutputs() throws {
        let out = try tmp() + "/out.safetensors"
        let model = fixture("siglip_vision")
        try run(["--model", model, "--input", model + "/inputs.safetensors", "--output", out])
        let got = try SafeTensors.read(out), exp = try SafeTensors.read(model + "/expected.safetensors")
        XCTAssertLessThan(maxRelative(got["last_hidden_state"]!, exp["last_hidden_state"]!), 1e-4)
        XCTAssertLessThan(maxRelative(got["hidden_states"]!, exp["hidden_states"]!), 1e-4)
    }

    func testLlavaLogitsAndLoss() throws {
        let out = try tmp() + "/out.safetensors"
        let model = fixture("llava_legacy")
        try run(["--model", model, "--input", model + "/inputs.safetensors", "--output", out])
        let got = try SafeTensors.read(out), exp = try SafeTensors.read(model + "/expected.safetensors")
        XCTAssertLessThan(maxRelative(got["logits"]!, exp["logits"]!), 1e-4)
        XCTAssertEqual(got["loss"]!.item(), exp["loss"]!.item(), accuracy: 1e-5)
    }

    func testBadInputIsAnExitCodeNotACrash() throws {
        let dir = try tmp()
        XCTAssertThrowsError(try run(["--model", dir, "--input", dir + "/missing.safetensors", "--output", dir + "/o.safetensors"]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/o.safetensors"))
    }
}
