import Foundation
import XCTest
import Formats
import Layers
import Models
import Tensors
import Training
@testable import Workflows

/// The fast variant of `vlmtune demo`, run once for the class: every phase must lower its
/// loss and stage 2 must beat stage 1 on the eval sets. The export, evaluation and resume
/// tests reuse its run.
final class DemoEndToEndTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let out = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-demo-e2e-\(UUID().uuidString)").path
    nonisolated(unsafe) static var outcome: Result<DemoPipeline.Report, Error>?

    static func report() throws -> DemoPipeline.Report {
        if outcome == nil {
            // Other test classes reuse the run, so it is removed when the process ends.
            atexit { try? FileManager.default.removeItem(atPath: DemoEndToEndTests.out) }
            let settings = DemoPipeline.Settings.quick(out: out, recipes: root + "/Recipes/demo")
            outcome = Result { try DemoPipeline(settings: settings, log: { _ in }).run() }
        }
        return try outcome!.get()
    }


    func testEveryPhaseLowersItsLoss() throws {
        let report = try Self.report()
        XCTAssertEqual(report.phases.filter { $0.firstLoss != nil }.count, 4, "lm-pretrain, clip, stage 1, stage 2")
        // Single steps of 8 samples are noisy: the first logged loss against the mean of the
        // last third of the logged ones.
        for run in ["lm-pretrain", "clip", "stage1", "stage2"] {
            let losses = try loggedStepLosses(Self.out + "/runs/\(run)").map(\.1)
            XCTAssertGreaterThanOrEqual(losses.count, 3, run)
            let tail = losses.suffix(max(1, losses.count / 3))
            let end = tail.reduce(0, +) / Double(tail.count)
            XCTAssertLessThan(end, losses[0], "\(run): \(losses)")
        }
        XCTAssertGreaterThan(report.zeroShot, report.zeroShotChance, "CLIP zero-shot above chance")
    }

    func testStage2BeatsStage1() throws {
        let report = try Self.report()
        let scored = report.rows.filter { $0.chance != nil }
        XCTAssertFalse(scored.isEmpty)
        var s1 = 0.0, s2 = 0.0
        for row in scored {
            s1 += row.afterStage1 ?? 0
            s2 += try XCTUnwrap(row.afterStage2, row.task)
        }
        XCTAssertGreaterThan(s2 / Double(scored.count), s1 / Double(scored.count), "mean accuracy over \(scored.map(\.task))")
    }

    // MARK: export of the stage 2 checkpoint

    /// A prompt with the image's feature run, and the image's pixels.
    func probe(_ model: LlavaModel) throws -> (Tensor, Tensor) {
        let v = model.config.vision
        let features = v.gridSize * v.gridSize + (model.config.dropFirstFeature ? 0 : 1)
        let ids = [Int64(0), 5, 9] + [Int64](repeating: Int64(model.config.imageTokenId), count: features) + [12, 30, 7, 2]
        var rng = RandomGenerator(seed: 3)
        let pixels = (0..<(3 * v.imageSize * v.imageSize)).map { _ in Float(rng.nextDouble() * 2 - 1) }
        return (try Tensor(shape: [1, ids.count], int64s: ids), try Tensor(shape: [1, 3, v.imageSize, v.imageSize], scalars: pixels))
    }

    func stage2() throws -> (String, Recipe, LlavaModel) {
        _ = try Self.report()
        let ck = try CheckpointModels.resolve(Self.out + "/runs/stage2")
        let r = try CheckpointModels.recipe(of: ck)
        let (model, _) = try CheckpointExport.llava(r, checkpoint: ck)
        return (ck, r, model)
    }

    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    func testMergedExportLoadsAsHFLlavaWithTheSameLogits() throws {
        let (ck, _, model) = try stage2()
        let dest = try temporaryFolder(self) + "/merged"
        let result = try CheckpointExport.run(checkpoint: ck, format: .merged, out: dest)
        XCTAssertTrue(result.files.contains("model.safetensors") && result.files.contains("config.json") && result.files.contains("tokenizer.json"))
        guard case .llava(let exported, _) = try ModelLoader.load(folder: dest) else { return XCTFail("not a llava folder") }
        XCTAssertEqual(exported.config.imageTokenId, model.config.text.vocabSize, "<image> appended after the vocabulary")
        let (ids, pixels) = try probe(model)
        let expected = try noGrad { try model.logits(ids: ids, pixels: pixels) }
        let got = try noGrad { try exported.logits(ids: ids, pixels: pixels) }
        let v = model.config.text.vocabSize
        XCTAssertEqual(got.shape, [1, ids.shape[1], v + 1])
        let trimmed = try got.slice(dim: 2, start: 0, end: v).contiguous()
        XCTAssertLessThan(maxDifference(trimmed, expected), 1e-3)
        let tok = try String(contentsOfFile: dest + "/tokenizer.json", encoding: .utf8)
        XCTAssertTrue(tok.contains("\"<image>\""))
        XCTAssertThrowsError(try CheckpointExport.run(checkpoint: ck, format: .merged, out: dest), "refuses a non-empty folder")
    }

    func testPEFTExportReloadsToTheSameModel() throws {
        let (ck, r, model) = try stage2()
        let dest = try temporaryFolder(self) + "/peft"
        _ = try CheckpointExport.run(checkpoint: ck, format: .peft, out: dest)
        let config = try JSONObject(contentsOf: dest + "/adapter_config.json")
        XCTAssertEqual(try config.string("peft_type"), "LORA")
        // A fresh model from the recipe (new random adapters), then the exported files.
        let (fresh, _) = try StageSetup.makeLlava(r)
        try PEFT.load(folder: dest, into: fresh.llm)
        try Artifacts.loadProjector(fresh.projector, from: dest + "/non_lora_trainables.safetensors")
        let (ids, pixels) = try probe(model)
        let a = try noGrad { try model.logits(ids: ids, pixels: pixels) }
        let b = try noGrad { try fresh.logits(ids: ids, pixels: pixels) }
        XCTAssertLessThan(maxDifference(a, b), 1e-5)
    }

    func testProjectorExportAndStageErrors() throws {
        let (ck, _, model) = try stage2()
        let dest = try temporaryFolder(self) + "/proj"
        _ = try CheckpointExport.run(checkpoint: ck, format: .llavaProjector, out: dest)
        let p = Projector(kind: model.projector.kind, visionHidden: model.config.vision.hiddenSize, textHidden: model.config.text.hiddenSize, seed: 99)
        try Artifacts.loadProjector(p, from: dest + "/mm_projector.safetensors")
        for ((k, a), (_, b)) in zip(p.namedParameters(), model.projector.namedParameters()) {
            XCTAssertEqual(a.scalars, b.scalars, k)
        }
        let config = try JSONObject(contentsOf: dest + "/config.json")
        XCTAssertEqual(try config.string("mm_projector_type"), "mlp2x_gelu")
        // Stage 1 trains no LoRA: a peft export is refused with a message, and nothing is left.
        let s1 = Self.out + "/runs/stage1"
        let bad = try temporaryFolder(self) + "/none"
        XCTAssertThrowsError(try CheckpointExport.run(checkpoint: s1, format: .peft, out: bad)) { e in
            XCTAssertTrue("\(e)".contains("no LoRA"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad))
        XCTAssertTrue(((try? FileManager.default.contentsOfDirectory(atPath: (bad as NSString).deletingLastPathComponent)) ?? []).isEmpty)
    }

    // MARK: evaluation during a run

    func testRunRecordsValidationLossAndScoresEvalSets() throws {
        _ = try Self.report()
        let dir = try temporaryFolder(self)
        let o = Self.out
        let r = try RecipeLoader.load(Self.root + "/Recipes/demo/stage1.yaml", overrides: [
            "model.vision.path=\(o)/models/vision", "model.llm.path=\(o)/models/llm", "data.train=\(o)/shards/captions",
            "data.eval=\(o)/shards/captions", "eval.sets=[\(o)/data/eval/yesno.jsonl]", "eval.limit=4", "eval.every=2",
            "train.max_steps=3", "checkpoint.dir=\(dir)/run", "log.tensorboard=false",
        ])
        let session = try TrainingSession(recipe: r, runFolder: dir + "/run")
        let summary = try session.trainer.run()
        try session.finish(summary)
        let lines = try String(contentsOfFile: dir + "/run/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let evalLines = lines.filter { $0.contains("\"eval/loss\"") }
        XCTAssertEqual(evalLines.count, 2, "at step 2 (eval.every) and at the end (step 3)")
        XCTAssertTrue(evalLines.allSatisfy { $0.contains("\"eval/pope.accuracy\"") && $0.contains("\"eval/perplexity\"") }, "\(evalLines)")
        for step in ["step-0000002", "step-0000003"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/run/eval/\(step)/yesno/report.json"), step)
        }
    }

    func testShardsOfAnotherTokenizerAreRefused() throws {
        _ = try Self.report()
        let o = Self.out
        let other = Self.root + "/Tests/Fixtures/tokenizers/llama2"
        let r = try RecipeLoader.load(Self.root + "/Recipes/demo/stage1.yaml", overrides: [
            "model.vision.path=\(o)/models/vision", "model.llm.path=\(o)/models/llm", "data.train=\(o)/shards/captions",
            "model.tokenizer=\(other)", "checkpoint.dir=\(try temporaryFolder(self))/run",
        ])
        XCTAssertThrowsError(try TrainingSession(recipe: r, runFolder: r.string("checkpoint.dir")!)) { e in
            XCTAssertTrue("\(e)".contains("another tokenizer"), "\(e)")
            XCTAssertTrue("\(e)".contains("shards/captions"), "names the shard folder: \(e)")
        }
    }
}
