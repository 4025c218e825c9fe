import XCTest
import Formats
import Layers
import Models
import Tensors

/// Outputs of every supported family against transformers (fixtures made by
/// Tests/Fixtures/scripts/make_model_fixtures.py): logits and hidden states within 1e-4 of
/// the largest reference magnitude, losses within 1e-5, LoRA gradients within 1e-3.
final class ParityTests: XCTestCase {
    func expected(_ name: String, _ file: String = "expected.safetensors") throws -> [String: Tensor] {
        try SafeTensors.read(Fixtures.model(name) + "/" + file)
    }

    func inputs(_ name: String) throws -> [String: Tensor] {
        try SafeTensors.read(Fixtures.model(name) + "/inputs.safetensors")
    }

    func checkCausalLM(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let lm = try ModelLoader.loadCausalLM(folder: Fixtures.model(name))
        let inp = try inputs(name), exp = try expected(name)
        let logits = try noGrad { try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(inp["input_ids"]!))) }
        XCTAssertLessThan(relativeError(logits, exp["logits"]!), 1e-4, "\(name) logits", file: file, line: line)
        let loss = try LlamaForCausalLM.shiftedLoss(logits: logits, labels: inp["labels"]!).item()
        XCTAssertEqual(loss, exp["loss"]!.item(), accuracy: 1e-5, "\(name) loss", file: file, line: line)
    }

    func testLlamaGQAUntiedExplicitHeadDim() throws { try checkCausalLM("llama") }

    func testLlama3RopeScalingTiedBiasesBF16Sharded() throws {
        let lm = try ModelLoader.loadCausalLM(folder: Fixtures.model("llama3_tied_bf16_sharded"))
        XCTAssertNil(lm.lmHead, "tied embeddings")
        XCTAssertEqual(lm.layers[0].selfAttn.qProj.weight.dtype, .bfloat16, "bf16 weights are used as stored")
        try checkCausalLM("llama3_tied_bf16_sharded")
    }

    func testQwen2() throws { try checkCausalLM("qwen2") }

    func checkVision(_ name: String) throws {
        guard case .vision(let tower) = try ModelLoader.load(folder: Fixtures.model(name)) else { return XCTFail("not a vision model") }
        let inp = try inputs(name), exp = try expected(name)
        let states = try noGrad { try tower.hiddenStates(inp["pixel_values"]!) }
        let last = try noGrad { try tower.lastHiddenState(from: states) }
        XCTAssertLessThan(relativeError(last, exp["last_hidden_state"]!), 1e-4, "\(name) last_hidden_state")
        XCTAssertLessThan(relativeError(try Tensor.stack(states, dim: 0), exp["hidden_states"]!), 1e-4, "\(name) hidden_states")
    }

    func testCLIPVision() throws { try checkVision("clip_vision") }
    func testSigLIPVision() throws { try checkVision("siglip_vision") }

    func checkLlava(_ name: String, layout expectedLayout: LlavaKeyLayout) throws {
        let (model, layout) = try ModelLoader.loadLlava(folder: Fixtures.model(name))
        XCTAssertEqual(layout, expectedLayout)
        let inp = try inputs(name), exp = try expected(name)
        let logits = try noGrad { try model.logits(ids: inp["input_ids"]!, pixels: inp["pixel_values"]!) }
        XCTAssertLessThan(relativeError(logits, exp["logits"]!), 1e-4, "\(name) logits")
        let loss = try LlamaForCausalLM.shiftedLoss(logits: logits, labels: inp["labels"]!).item()
        XCTAssertEqual(loss, exp["loss"]!.item(), accuracy: 1e-5, "\(name) loss")
    }

    func testLlavaCurrentLayout() throws { try checkLlava("llava", layout: .current) }
    func testLlavaLegacyLayout() throws { try checkLlava("llava_legacy", layout: .legacy) }
    func testLlavaSigLIPQwen2FullStrategyTwoFeatureLayers() throws { try checkLlava("llava_siglip_qwen2", layout: .current) }

    /// The training loss on the labelled rows only equals transformers' loss over full logits
    /// (image positions and a masked prompt carry no label here).
    func testLabelledLossMatchesTransformersOnLlava() throws {
        let (m, _) = try ModelLoader.loadLlava(folder: Fixtures.model("llava"))
        let inp = try inputs("llava")
        let feats = try m.imageFeatures(inp["pixel_values"]!)
        let embeds = try m.inputEmbeddings(ids: inp["input_ids"]!, imageFeatures: feats)
        let loss = try m.llm.labelledLoss(inputsEmbeds: embeds, attentionMask: nil, labels: inp["labels"]!)
        XCTAssertEqual(loss.item(), try expected("llava")["loss"]!.item(), accuracy: 1e-5)
    }

    // MARK: PEFT adapters

    func checkAdapterGradients(_ root: Module, moduleName: @escaping (String) -> String, logits: () throws -> Tensor,
                               labels: Tensor, expected exp: [String: Tensor], name: String) throws {
        root.setTrainable(true, .lora)
        let out = try logits()
        XCTAssertLessThan(relativeError(out, exp["logits"]!), 1e-4, "\(name) logits with adapter")
        let loss = try LlamaForCausalLM.shiftedLoss(logits: out, labels: labels)
        XCTAssertEqual(loss.item(), exp["loss"]!.item(), accuracy: 1e-5, "\(name) loss with adapter")
        try loss.backward()
        let lora = root.namedParameters(.lora)
        XCTAssertEqual(lora.count, exp.keys.filter { $0.contains("lora_") }.count, "\(name): adapter tensor count")
        for (k, t) in lora {
            let key = PEFT.adapterKey(k, moduleName: moduleName)
            guard let ref = exp[key] else { XCTFail("\(name): no reference gradient for \(key)"); continue }
            XCTAssertLessThan(relativeError(t.grad!, ref), 1e-3, "\(name) gradient \(key)")
        }
    }

    func testLlamaAdapterWithRankAndAlphaPatterns() throws {
        let folder = Fixtures.model("llama")
        let lm = try ModelLoader.loadCausalLM(folder: folder)
        let settings = try PEFT.load(folder: folder + "/adapter", into: lm)
        XCTAssertEqual(settings.rankAndAlpha(for: "model.layers.0.mlp.down_proj").0, 2)
        XCTAssertEqual(settings.rankAndAlpha(for: "model.layers.1.self_attn.v_proj").1, 3)
        let inp = try inputs("llama")
        try checkAdapterGradients(lm, moduleName: { $0 }, logits: { try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(inp["input_ids"]!))) },
                                  labels: inp["labels"]!, expected: try expected("llama", "expected_adapter.safetensors"), name: "llama")
    }

    func testQwen2RSLoRARegexTargets() throws {
        let folder = Fixtures.model("qwen2")
        let lm = try ModelLoader.loadCausalLM(folder: folder)
        let settings = try PEFT.load(folder: folder + "/adapter", into: lm)
        XCTAssertTrue(settings.rsLoRA)
        let inp = try inputs("qwen2")
        try checkAdapterGradients(lm, moduleName: { $0 }, logits: { try lm.logits(lm.hiddenStates(inputsEmbeds: lm.embed(inp["input_ids"]!))) },
                                  labels: inp["labels"]!, expected: try expected("qwen2", "expected_adapter.safetensors"), name: "qwen2")
    }

    func testLlavaAdapterOnLanguageModel() throws {
        let folder = Fixtures.model("llava")
        let (m, layout) = try ModelLoader.loadLlava(folder: folder)
        try PEFT.load(folder: folder + "/adapter", into: m, moduleName: layout.checkpointKey,
                      scope: { $0.contains("language_model") })
        let inp = try inputs("llava")
        try checkAdapterGradients(m, moduleName: layout.checkpointKey, logits: { try m.logits(ids: inp["input_ids"]!, pixels: inp["pixel_values"]!) },
                                  labels: inp["labels"]!, expected: try expected("llava", "expected_adapter.safetensors"), name: "llava")
    }

    func testAdapterRoundTripAndMerge() throws {
        let folder = Fixtures.model("llama")
        let lm = try ModelLoader.loadCausalLM(folder: folder)
        let settings = try PEFT.load(folder: folder + "/adapter", into: lm)
        let ids = try inputs("llama")["input_ids"]!
        func run(_ m: LlamaForCausalLM) throws -> Tensor { try noGrad { try m.logits(m.hiddenStates(inputsEmbeds: m.embed(ids))) } }
        let reference = try run(lm)
        // Save with PEFT key names, load into a fresh base model: same logits.
        let out = try temporaryFolder(self)
        try PEFT.save(lm, settings: settings, to: out, baseModel: folder)
        let names = try SafeTensors.File(path: out + "/adapter_model.safetensors").names
        XCTAssert(names.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"), "\(names.prefix(3))")
        let fresh = try ModelLoader.loadCausalLM(folder: folder)
        try PEFT.load(folder: out, into: fresh)
        XCTAssertLessThan(relativeError(try run(fresh), reference), 1e-6)
        // Merging folds the adapter into the weights without changing the function.
        for (_, m) in fresh.namedModules() { try (m as? Linear)?.mergeLoRA() }
        XCTAssertLessThan(relativeError(try run(fresh), reference), 1e-5)
        for (_, m) in fresh.namedModules() { try (m as? Linear)?.unmergeLoRA() }
        XCTAssertLessThan(relativeError(try run(fresh), reference), 1e-5)
    }
}
