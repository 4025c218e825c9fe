import DataPipeline
import Evaluation
import Foundation
import Imaging
import Layers
import Models
import Shards
import Tensors
import Tokenizers
import Training

/// `vlmtune demo`: the whole toolkit on the synthetic shapes world, end to end.
///
/// 1. data: images, LLaVA JSON and eval sets (`data synth-shapes`);
/// 2. a BPE tokenizer trained on the world's text;
/// 3. shards (`data convert`): captions (plain), instructions and text (vicuna_v1);
/// 4. the tiny "frozen" parts, trained by the toolkit: an LLM (`lm-pretrain`) and a CLIP
///    vision tower (`clip`, with a zero-shot classification check);
/// 5. stage 1 (`align`), evaluation, stage 2 (`instruct`, LoRA), evaluation;
/// 6. the table of metrics against chance.
public struct DemoPipeline {
    public struct Settings {
        public var out: String
        public var recipes: String
        public var seed: UInt64
        public var trainImages: Int
        public var evalImages: Int
        /// Multiplies every stage's epochs.
        public var epochScale: Double
        /// Epochs per recipe file, replacing the recipe's (the quick variant trains its small
        /// world for more passes than the full one needs, the LLM most).
        public var epochs: [String: Double] = [:]
        /// Extra `key=value` overrides per recipe file.
        public var overrides: [String: [String]] = [:]
        public var evalLimit: Int?
        /// Stop after this phase (data, shards, lm, clip, stage1, stage2): for experiments.
        public var stopAfter: String?

        public init(out: String = "Checkpoints/demo", recipes: String = "Recipes/demo", seed: UInt64 = 0, trainImages: Int = 3000,
                    evalImages: Int = 300, epochScale: Double = 1, evalLimit: Int? = nil) {
            self.out = out
            self.recipes = recipes
            self.seed = seed
            self.trainImages = trainImages
            self.evalImages = evalImages
            self.epochScale = epochScale
            self.evalLimit = evalLimit
        }

        /// The fast variant used as the end-to-end test.
        public static func quick(out: String, recipes: String) -> Settings {
            var s = Settings(out: out, recipes: recipes, trainImages: 600, evalImages: 60, evalLimit: 60)
            // CLIP keeps its recipe's epochs: a less trained tower leaves stage 2 nothing to read.
            s.epochs = ["lm-pretrain.yaml": 1.5, "stage1.yaml": 1, "stage2.yaml": 3]
            // Smaller batches: more updates from the same few samples.
            let small = ["train.global_batch=8", "train.micro_batch=8", "log.every=5"]
            s.overrides = ["lm-pretrain.yaml": small, "clip.yaml": ["log.every=5"], "stage1.yaml": small, "stage2.yaml": small]
            return s
        }
    }

    public struct PhaseResult {
        public var name: String
        public var seconds: Double
        public var firstLoss: Double?
        public var lastLoss: Double?
    }

    public struct Row {
        public var task: String
        public var metric: String
        public var chance: Double?
        public var afterStage1: Double?
        public var afterStage2: Double?
    }

    public struct Report {
        public var phases: [PhaseResult]
        public var rows: [Row]
        public var zeroShot: Double
        public var zeroShotChance: Double
        public var seconds: Double
        public var reports: [String]
        public var curves: [String]
    }

    public let settings: Settings
    let log: (String) -> Void

    public init(settings: Settings, log: @escaping (String) -> Void) {
        self.settings = settings
        self.log = log
    }

    var out: String { settings.out }

    public func run() throws -> Report {
        let began = Date()
        var phases: [PhaseResult] = []
        func phase<T>(_ name: String, _ body: () throws -> (T, Trainer.Summary?)) throws -> T {
            log("[\(phases.count + 1)/9] \(name)")
            let t0 = Date()
            let (value, summary) = try body()
            let seconds = Date().timeIntervalSince(t0)
            phases.append(PhaseResult(name: name, seconds: seconds, firstLoss: summary?.firstLoss, lastLoss: summary?.lastLoss))
            log(String(format: "      %@ done in %.1f s%@", name, seconds,
                       summary.map { String(format: ", loss %.3f -> %.3f", $0.firstLoss ?? .nan, $0.lastLoss ?? .nan) } ?? ""))
            return value
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let data = out + "/data"
        _ = try phase("data: synthetic shapes world") {
            (try ShapesDataset(out: data, trainCount: settings.trainImages, evalCount: settings.evalImages, seed: settings.seed).write(), nil)
        }
        let tokenizer = try phase("tokenizer + shards") { () -> (Tokenizer, Trainer.Summary?) in
            let tok = try DemoTokenizer.build(from: [data + "/text.json"], vocabSize: 512, to: out + "/tokenizer")
            let processor = ImageProcessorConfig.clip(side: ShapesWorld.side)
            for (name, file, template) in [("captions", "captions.json", ChatTemplate.plain), ("instruct", "instruct.json", .vicunaV1), ("text", "text.json", .vicunaV1)] {
                let options = ShardConverter.Options(json: data + "/" + file, images: data + "/images", out: out + "/shards/" + name, template: template,
                                                     imageSize: ShapesWorld.side, mode: .pad, storage: .pixels, maxLength: 256, shardSamples: 5000,
                                                     maxSkipFraction: 0.01, processor: processor)
                let report = try ShardConverter(options: options, tokenizer: tok).run()
                if !report.skipped.isEmpty { log("      \(name): skipped \(report.skipped)") }
            }
            return (tok, nil)
        }
        if settings.stopAfter == "shards" { throw DemoStopped(phase: "shards") }
        let vocab = tokenizer.idUpperBound
        let lm = try phase("pretrain the LLM (lm-pretrain)") {
            try train("lm-pretrain.yaml", overrides: ["model.llm.config.vocab_size=\(vocab)"])
        }
        try exportLLM(from: lm, tokenizer: out + "/tokenizer")
        if settings.stopAfter == "lm" { throw DemoStopped(phase: "lm") }
        let clipRun = try phase("pretrain the vision tower (clip)") {
            try train("clip.yaml", overrides: [])
        }
        let (zeroShot, zeroShotChance) = try exportVisionAndZeroShot(clipRun, tokenizer: tokenizer)
        log(String(format: "      zero-shot classification (%d classes): top-1 %.1f%% (chance %.1f%%)",
                   ShapesWorld.Colour.allCases.count * ShapesWorld.Shape.allCases.count, zeroShot * 100, zeroShotChance * 100))
        if settings.stopAfter == "clip" { throw DemoStopped(phase: "clip") }
        let s1 = try phase("stage 1 (align)") { try train("stage1.yaml", overrides: []) }
        let eval1 = try phase("evaluate after stage 1") { (try evaluate(s1.runFolder, label: "stage1"), nil) }
        if settings.stopAfter == "stage1" { throw DemoStopped(phase: "stage1") }
        let s2 = try phase("stage 2 (instruct, LoRA)") { try train("stage2.yaml", overrides: []) }
        let eval2 = try phase("evaluate after stage 2") { (try evaluate(s2.runFolder, label: "stage2"), nil) }
        let rows = Self.table(stage1: eval1, stage2: eval2)
        let reports = ["stage1", "stage2"].map { out + "/eval/\($0)" }
        return Report(phases: phases, rows: rows, zeroShot: zeroShot, zeroShotChance: zeroShotChance, seconds: Date().timeIntervalSince(began),
                      reports: reports, curves: [lm, clipRun, s1, s2].map { $0.runFolder + "/curves.png" })
    }

    /// Thrown by `--stop-after`.
    public struct DemoStopped: Error, CustomStringConvertible {
        public let phase: String
        public var description: String { "stopped after \(phase) (--stop-after)" }
    }

    struct Run {
        var session: TrainingSession
        var summary: Trainer.Summary
        var runFolder: String { session.runFolder }
    }

    /// Trains one demo recipe, its paths moved under `out` and its epochs scaled.
    func train(_ recipeFile: String, overrides extra: [String]) throws -> (Run, Trainer.Summary?) {
        let path = settings.recipes + "/" + recipeFile
        let base = try RecipeLoader.load(path)
        var overrides = extra + (settings.overrides[recipeFile] ?? [])
        for key in ["model.tokenizer", "model.vision.path", "model.llm.path", "model.projector.path", "data.train", "checkpoint.dir"] {
            if let v = base.string(key) { overrides.append("\(key)=\(relocate(v))") }
        }
        let epochs = settings.epochs[recipeFile] ?? (base.double("train.epochs") ?? 1) * settings.epochScale
        overrides.append("train.epochs=\(epochs)")
        overrides.append("seed=\(settings.seed)")
        let r = try RecipeLoader.load(path, overrides: overrides)
        let runFolder = r.string("checkpoint.dir")!
        try? FileManager.default.removeItem(atPath: runFolder)
        let session = try TrainingSession(recipe: r, runFolder: runFolder)
        let summary = try session.trainer.run()
        try session.finish(summary)
        return (Run(session: session, summary: summary), summary)
    }

    /// A recipe path under Checkpoints/demo, moved to this run's output folder.
    func relocate(_ path: String) -> String {
        path.hasPrefix("Checkpoints/demo") ? out + path.dropFirst("Checkpoints/demo".count) : path
    }

    /// The pretrained LLM as an HF folder with its tokenizer: what stages 1 and 2 load.
    func exportLLM(from run: Run, tokenizer: String) throws {
        let dest = out + "/models/llm"
        try? FileManager.default.removeItem(atPath: dest)
        let ck = try CheckpointModels.resolve(run.runFolder)
        try FileManager.default.copyItem(atPath: ck + "/model", toPath: dest)
        for f in ["tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(atPath: tokenizer + "/" + f, toPath: dest + "/" + f)
        }
    }

    /// Saves the tower as an HF folder (with its preprocessor config) and measures CLIP's
    /// zero-shot classification: each single-shape held-out image against "a photo of a
    /// <colour> <shape>" for every class, top-1 accuracy.
    func exportVisionAndZeroShot(_ run: Run, tokenizer: Tokenizer) throws -> (Double, Double) {
        let dest = out + "/models/vision"
        try? FileManager.default.removeItem(atPath: dest)
        let ck = try CheckpointModels.resolve(run.runFolder)
        try FileManager.default.copyItem(atPath: ck + "/vision", toPath: dest)
        let side = ShapesWorld.side
        let pre: [String: Any] = ["image_processor_type": "CLIPImageProcessor", "size": ["shortest_edge": side], "crop_size": ["height": side, "width": side],
                                  "do_center_crop": true, "do_resize": true, "do_normalize": true, "do_rescale": true, "rescale_factor": 1.0 / 255,
                                  "resample": 3, "image_mean": ImageProcessorConfig.clipMean, "image_std": ImageProcessorConfig.clipStd]
        try JSONSerialization.data(withJSONObject: pre, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: dest + "/preprocessor_config.json"))
        guard let task = run.session.task as? CLIPTask else { return (0, 0) }
        let listData = try Data(contentsOf: URL(fileURLWithPath: out + "/data/eval/zeroshot.json"))
        let list = (try JSONSerialization.jsonObject(with: listData) as? [[String: String]]) ?? []
        let classes = ShapesWorld.Colour.allCases.flatMap { c in ShapesWorld.Shape.allCases.map { "\(c.rawValue) \($0.rawValue)" } }
        guard !list.isEmpty else { return (0, 1 / Double(classes.count)) }
        let preprocessor = try ImagePreprocessor(config: .clip(side: side), mode: .pad)
        let correct = try noGrad { () -> Int in
            let prompts = classes.map { tokenizer.encode("a photo of a \($0)") }
            let text = try task.textEmbeddings(prompts)
            var images: [Tensor] = []
            for item in list {
                let img = try RGBImage(contentsOf: URL(fileURLWithPath: out + "/data/eval/" + item["image"]!))
                images.append(try Tensor(shape: [1, 3, side, side], scalars: preprocessor.pixelValues(img)))
            }
            let sims = try task.imageEmbeddings(Tensor.concat(images, dim: 0)).matmul(text.transposed())
            let v = sims.scalars
            var hits = 0
            for (i, item) in list.enumerated() {
                let row = Array(v[(i * classes.count)..<((i + 1) * classes.count)])
                let best = row.indices.max { row[$0] < row[$1] }!
                if classes[best] == "\(item["colour"]!) \(item["shape"]!)" { hits += 1 }
            }
            return hits
        }
        return (Double(correct) / Double(list.count), 1 / Double(classes.count))
    }

    /// Scores every held-out set with the newest checkpoint of a run.
    func evaluate(_ runFolder: String, label: String) throws -> [String: EvalReport] {
        let ck = try CheckpointModels.resolve(runFolder)
        let generator = try CheckpointModels.generator(ck, template: .vicunaV1)
        let runner = EvalRunner(generator: generator, options: GenerationOptions(maxNewTokens: 48), batchSize: 32, limit: settings.evalLimit)
        var reports: [String: EvalReport] = [:]
        for name in ["yesno", "choice", "short", "caption", "ground"] {
            let result = try runner.run(set: out + "/data/eval/\(name).jsonl", outFolder: out + "/eval/\(label)", modelID: "demo-\(label)")
            reports[name] = result.report
        }
        return reports
    }

    /// The demo's table: the headline metric of each task, with chance.
    static func table(stage1: [String: EvalReport], stage2: [String: EvalReport]) -> [Row] {
        func metric(_ r: [String: EvalReport], _ name: String) -> Double? {
            for rep in r.values { if let m = rep.namedMetrics.first(where: { $0.name == name }) { return m.value } }
            return nil
        }
        let spec: [(String, String, String, Double?)] = [
            ("yes/no (existence)", "POPE accuracy", "pope.accuracy", 0.5),
            ("multiple choice", "accuracy", "choice.accuracy", (1.0 / 4 + 1.0 / 3) / 2),
            ("colour", "accuracy", "short[colour].accuracy", 1.0 / 4),
            ("shape", "accuracy", "short[shape].accuracy", 1.0 / 3),
            ("counting", "accuracy", "short[count].accuracy", 1.0 / 4),
            ("position", "accuracy", "short[position].accuracy", 1.0 / 4),
            ("caption", "CIDEr-D", "caption.cider", nil),
            ("caption", "BLEU-4", "caption.bleu4", nil),
            ("grounding", "acc@IoU0.5", "ground.accuracy", nil),
        ]
        return spec.map { Row(task: $0.0, metric: $0.1, chance: $0.3, afterStage1: metric(stage1, $0.2), afterStage2: metric(stage2, $0.2)) }
    }
}
