import Foundation
import XCTest
import Formats
import Models
import Tensors
@testable import Training

/// max |a - b| / max |b| (relative to the largest reference magnitude).
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    XCTAssertEqual(a.count, b.count)
    let scale = max(b.map(abs).max() ?? 1, 1e-30)
    return zip(a, b).map { abs($0 - $1) }.max()! / scale
}

func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
    XCTAssertEqual(a.shape, b.shape)
    return relativeError(a.scalars, b.scalars)
}

/// Full-parameter training against transformers + torch.optim.AdamW on the fixture of
/// Tests/Fixtures/scripts/make_training_fixtures.py: a tied-embedding GQA Llama on 150-token
/// right-padded rows (more than one block of the attention kernel), the gradient of every
/// weight, then the weights after two clipped AdamW steps.
final class FullTrainingParityTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models/llama_full_training").path

    func loss(_ lm: LlamaForCausalLM, _ inp: [String: Tensor]) throws -> Tensor {
        let hidden = try lm.hiddenStates(inputsEmbeds: lm.embed(inp["input_ids"]!), attentionMask: inp["attention_mask"]!)
        return try LlamaForCausalLM.shiftedLoss(logits: lm.logits(hidden), labels: inp["labels"]!)
    }

    func testGradientsOfEveryWeightAndTwoAdamWStepsMatchTorch() throws {
        let lm = try ModelLoader.loadCausalLM(folder: Self.folder)
        lm.setTrainable(true)
        let inp = try SafeTensors.read(Self.folder + "/inputs.safetensors")
        let exp = try SafeTensors.read(Self.folder + "/expected.safetensors")
        let params = lm.trainableParameters()
        // The tied lm_head is the embedding itself: one parameter, not two.
        XCTAssertEqual(params.count, exp.keys.filter { $0.hasPrefix("grad.") }.count)

        let l = try loss(lm, inp)
        XCTAssertEqual(l.item(), exp["loss"]!.item(), accuracy: 1e-5)
        try l.backward()
        for (k, t) in params {
            guard let ref = exp["grad." + k] else { XCTFail("no reference gradient for \(k)"); continue }
            XCTAssertLessThan(relativeError(t.grad!, ref), 1e-4, "gradient of \(k)")
        }

        let opt = AdamW(groups: AdamW.groups(params, lr: 1e-2, projectorLR: nil, weightDecay: 0.1, isProjector: { _ in false }))
        for _ in 0..<2 {
            opt.zeroGrad()
            try loss(lm, inp).backward()
            opt.clipGradients(maxNorm: 0.5, norm: opt.gradientNorm())
            try opt.step(lrScale: 1)
        }
        for (k, t) in params {
            XCTAssertLessThan(relativeError(t, exp["step2." + k]!), 1e-4, "\(k) after two AdamW steps")
        }
    }
}

/// `data.loss_on` of `lm-pretrain`: every token, or only where the shard's labels say.
final class LanguageModelLossTests: XCTestCase {
    func testLossOnLabelsTakesOnlyTheLabelledTokens() throws {
        let lm = try ModelLoader.loadCausalLM(folder: FullTrainingParityTests.folder)
        let ids: [[Int32]] = [[1, 5, 9, 12, 7, 3, 30], [1, 8, 4, 22]]
        let labels: [[Int32]] = [[-100, -100, -100, 12, 7, -100, 30], [-100, -100, 4, 22]]
        let batch = TrainingBatch.text(ids: ids, labels: labels)
        func reference(_ targets: [[Int32]]) throws -> Float {
            let t = 7
            let idT = try Tensor(shape: [2, t], int64s: ids.flatMap { $0.map(Int64.init) + [Int64](repeating: 0, count: t - $0.count) })
            let labT = try Tensor(shape: [2, t], int64s: targets.flatMap { $0.map(Int64.init) + [Int64](repeating: -100, count: t - $0.count) })
            let mask = try Tensor(shape: [2, t], scalars: ids.flatMap { [Float](repeating: 1, count: $0.count) + [Float](repeating: 0, count: t - $0.count) })
            let hidden = try lm.hiddenStates(inputsEmbeds: lm.embed(idT), attentionMask: mask)
            return try LlamaForCausalLM.shiftedLoss(logits: lm.logits(hidden), labels: labT).item()
        }
        try noGrad {
            let (onLabels, tokens) = try LanguageModelTask(model: lm, useLabels: true).loss(batch)
            let (onAll, _) = try LanguageModelTask(model: lm).loss(batch)
            XCTAssertEqual(tokens, 11)
            XCTAssertEqual(onLabels.item(), try reference(labels), accuracy: 1e-6)
            XCTAssertEqual(onAll.item(), try reference(ids), accuracy: 1e-6)
            XCTAssertNotEqual(onLabels.item(), onAll.item(), accuracy: 1e-3)
        }
    }
}

/// `labelledLoss` (the last layer's o_proj and MLP, the LM head and the cross-entropy on the
/// trained rows only) against the full logits, with and without gradient checkpointing.
final class LabelledLossTests: XCTestCase {
    func testSameLossAndGradientsAsTheFullLogits() throws {
        let lm = try ModelLoader.loadCausalLM(folder: FullTrainingParityTests.folder)
        lm.setTrainable(true)
        let inp = try SafeTensors.read(FullTrainingParityTests.folder + "/inputs.safetensors")
        let labels = inp["labels"]!
        XCTAssertTrue(labels.integers.contains(-100), "the fixture must have untrained rows for this test to mean anything")
        func run(_ loss: (Tensor, Tensor) throws -> Tensor) throws -> (Float, [String: [Float]]) {
            for (_, p) in lm.trainableParameters() { p.grad = nil }
            let l = try loss(lm.embed(inp["input_ids"]!), inp["attention_mask"]!)
            try l.backward()
            return (l.item(), Dictionary(uniqueKeysWithValues: lm.trainableParameters().map { ($0.0, $0.1.grad!.scalars) }))
        }
        let (full, fullGrads) = try run { x, mask in
            try LlamaForCausalLM.shiftedLoss(logits: lm.logits(lm.hiddenStates(inputsEmbeds: x, attentionMask: mask)), labels: labels)
        }
        for checkpointing in [false, true] {
            lm.gradientCheckpointing = checkpointing
            let (picked, pickedGrads) = try run { x, mask in try lm.labelledLoss(inputsEmbeds: x, attentionMask: mask, labels: labels) }
            XCTAssertEqual(picked, full, accuracy: 1e-6, "checkpointing \(checkpointing)")
            for (k, g) in fullGrads {
                XCTAssertLessThan(relativeError(pickedGrads[k]!, g), 1e-5, "\(k), checkpointing \(checkpointing)")
            }
        }
        lm.gradientCheckpointing = false
        XCTAssertThrowsError(try lm.hiddenStates(inputsEmbeds: lm.embed(inp["input_ids"]!), rows: []))
    }
}
