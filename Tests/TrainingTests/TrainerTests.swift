import XCTest
import Formats
import Layers
import Models
import Tensors
@testable import Training

final class TrainerTests: XCTestCase {
    func makeTrainer(_ recipeText: String, dir: String, overrides: [String] = []) throws -> Trainer {
        let r = try RecipeLoader.load(try writeRecipe(recipeText, in: dir, name: "recipe-\(UUID().uuidString.prefix(6)).yaml"), overrides: overrides)
        let (model, lora) = try StageSetup.makeLlava(r)
        let task = LlavaTask(model: model, stage: r.stage, maxLength: r.int("data.max_length")!, lora: lora)
        return try Trainer(recipe: r, task: task, source: SyntheticSource(samples: 12, imageSize: 8), runFolder: dir + "/run")
    }

    func testStage1TrainsOnlyTheProjectorAndLowersTheLoss() throws {
        let dir = try temporaryFolder(self)
        let t = try makeTrainer(tinyLlavaRecipe(stage: "align"), dir: dir, overrides: ["train.max_steps=20", "checkpoint.every=0", "optim.lr=0.03"])
        var losses: [Double] = []
        t.onStep = { losses.append($1) }
        let trainable = t.task.root.trainableParameters().map(\.0)
        XCTAssertFalse(trainable.isEmpty)
        XCTAssert(trainable.allSatisfy { $0.hasPrefix("model.multi_modal_projector.") }, "\(trainable)")
        let before = (t.task as! LlavaTask).model.llm.layers[0].mlp.upProj.weight.scalars
        let s = try t.run()
        XCTAssertEqual(s.steps, 20)
        let early = losses.prefix(4).reduce(0, +) / 4, late = losses.suffix(4).reduce(0, +) / 4
        XCTAssertLessThan(late, early * 0.9, "loss should fall: \(losses)")
        XCTAssertEqual((t.task as! LlavaTask).model.llm.layers[0].mlp.upProj.weight.scalars, before, "LLM frozen")
        let ck = dir + "/run/checkpoints/step-0000020"
        for f in ["trainable.safetensors", "optimizer.safetensors", "state.json", "recipe.yaml", "mm_projector.safetensors"] {
            XCTAssert(FileManager.default.fileExists(atPath: ck + "/" + f), f)
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/run/checkpoints/latest", encoding: .utf8), "step-0000020\n")
        let proj = try SafeTensors.File(path: ck + "/mm_projector.safetensors")
        XCTAssertEqual(proj.names, ["model.mm_projector.0.bias", "model.mm_projector.0.weight", "model.mm_projector.2.bias", "model.mm_projector.2.weight"])
        let metrics = try String(contentsOfFile: dir + "/run/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metrics.count, 20)
        XCTAssert(metrics[0].hasPrefix("{\"step\":1,\"loss\":"))
    }

    func testStage2StartsFromTheStage1ProjectorAndWritesAPEFTAdapter() throws {
        let dir = try temporaryFolder(self)
        let s1 = try makeTrainer(tinyLlavaRecipe(stage: "align"), dir: dir, overrides: ["train.max_steps=4", "checkpoint.every=0"])
        _ = try s1.run()
        let stage1Projector = (s1.task as! LlavaTask).model.projector.layers[0].weight.scalars
        let dir2 = try temporaryFolder(self)
        let s2 = try makeTrainer(tinyLlavaRecipe(stage: "instruct", extra: "  lora: {r: 4, alpha: 8}").replacingOccurrences(of: "model:\n", with: "model:\n  projector:\n    path: \(dir)/run/checkpoints/step-0000004\n"),
                                 dir: dir2, overrides: ["model.lora.r=4", "train.max_steps=6", "checkpoint.every=0"])
        let task = s2.task as! LlavaTask
        XCTAssertEqual(task.model.projector.layers[0].weight.scalars, stage1Projector)
        let names = task.root.trainableParameters().map(\.0)
        XCTAssert(names.contains { $0.contains("lora_A") } && names.contains { $0.hasPrefix("model.multi_modal_projector.") })
        XCTAssertFalse(names.contains { $0.hasSuffix("q_proj.weight") })
        let sum = try s2.run()
        XCTAssertLessThan(sum.lastLoss!, sum.firstLoss!)
        let ck = dir2 + "/run/checkpoints/step-0000006"
        let adapter = try SafeTensors.File(path: ck + "/adapter/adapter_model.safetensors")
        XCTAssert(adapter.names.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"), "\(adapter.names.prefix(2))")
        XCTAssert(FileManager.default.fileExists(atPath: ck + "/adapter/adapter_config.json"))
        XCTAssertEqual(try SafeTensors.File(path: ck + "/non_lora_trainables.safetensors").names.first, "base_model.model.model.mm_projector.0.bias")
        // the adapter loads back onto the base LLM
        let llm = try StageSetup.makeLLM(s2.recipe)
        try PEFT.load(folder: ck + "/adapter", into: llm)
    }

    /// Stopping at an arbitrary step and resuming gives bitwise the same losses as an
    /// uninterrupted run (LoRA dropout on, so the saved generator state matters).
    func testExactResume() throws {
        let recipe = tinyLlavaRecipe(stage: "instruct", extra: "  lora: {r: 4, alpha: 8, dropout: 0.2}")
        let overrides = ["model.lora.r=4", "train.max_steps=7", "checkpoint.every=1"]
        let dirA = try temporaryFolder(self)
        var reference: [Int: Double] = [:]
        let a = try makeTrainer(recipe, dir: dirA, overrides: overrides)
        a.onStep = { reference[$0.step] = $1 }
        _ = try a.run()

        let dirB = try temporaryFolder(self)
        var first: [Int: Double] = [:]
        let b = try makeTrainer(recipe, dir: dirB, overrides: overrides)
        b.onStep = { s, l in
            first[s.step] = l
            if s.step == 4 { Interrupt.request() }
        }
        let partial = try b.run()
        Interrupt.reset()
        XCTAssertTrue(partial.interrupted)
        XCTAssertEqual(partial.steps, 4)
        var second: [Int: Double] = [:]
        let c = try makeTrainer(recipe, dir: dirB, overrides: overrides)
        try c.resume(from: try XCTUnwrap(c.latestCheckpoint))
        c.onStep = { second[$0.step] = $1 }
        _ = try c.run()
        XCTAssertEqual(Set(second.keys), [5, 6, 7])
        for step in 1...7 {
            XCTAssertEqual((first[step] ?? second[step])!.bitPattern, reference[step]!.bitPattern, "step \(step)")
        }
    }

    func testGradientCheckpointingGivesTheSameGradients() throws {
        let dir = try temporaryFolder(self)
        let recipe = tinyLlavaRecipe(stage: "instruct", extra: "  lora: {r: 4, alpha: 8, dropout: 0.3}")
        func grads(_ checkpointing: Bool) throws -> [String: [Float]] {
            let t = try makeTrainer(recipe, dir: dir, overrides: ["model.lora.r=4"])
            let task = t.task as! LlavaTask
            task.model.llm.gradientCheckpointing = checkpointing
            task.model.llm.replay = ReplayHooks(capture: { t.random.generator }, restore: { t.random.generator = $0 as! RandomGenerator })
            task.setTraining(true)
            let batch = try SyntheticSource(samples: 4, imageSize: 8).batch(epoch: 0, cursor: 0, size: 4)
            try task.loss(batch).loss.backward()
            return Dictionary(uniqueKeysWithValues: task.root.trainableParameters().map { ($0.0, $0.1.grad!.scalars) })
        }
        let plain = try grads(false), recomputed = try grads(true)
        XCTAssertEqual(Set(plain.keys), Set(recomputed.keys))
        for (k, g) in plain {
            for (a, b) in zip(g, recomputed[k]!) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(a)), k) }
        }
    }

    func testNonFiniteStepsAreSkippedThenStopTheRun() throws {
        let dir = try temporaryFolder(self)
        let t = try makeTrainer(tinyLlavaRecipe(stage: "align"), dir: dir, overrides: ["optim.lr=1e30", "train.max_steps=20", "train.max_nonfinite_steps=2"])
        XCTAssertThrowsError(try t.run()) { XCTAssert("\($0)".contains("2 steps in a row had a non-finite"), "\($0)") }
    }

    func testAFailedCheckpointKeepsTheEarlierOnes() throws {
        let dir = try temporaryFolder(self)
        let t = try makeTrainer(tinyLlavaRecipe(stage: "align"), dir: dir, overrides: ["train.max_steps=2", "checkpoint.every=1"])
        _ = try t.run()
        let store = CheckpointStore(runFolder: dir + "/run", keepLast: 2)
        XCTAssertThrowsError(try store.save(step: 3) { folder in
            try Data(count: 10).write(to: URL(fileURLWithPath: folder + "/trainable.safetensors"))
            throw TrainingError("No space left on device")
        }) { XCTAssert("\($0)".contains("earlier checkpoints are intact"), "\($0)") }
        XCTAssertEqual(store.latest(), dir + "/run/checkpoints/step-0000002")
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir + "/run/checkpoints").sorted()
        XCTAssertEqual(entries, ["latest", "step-0000001", "step-0000002"])
    }
}
