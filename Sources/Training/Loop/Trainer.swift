import AtomicFiles
import Foundation
import Formats
import Layers
import Models
import Tensors

/// The training loop: gradient accumulation to the global batch, clipping, AdamW with the
/// recipe's schedule, a guard against non-finite steps, metrics, checkpoints and exact
/// resume. Reads like nanoGPT's loop; everything stage-specific is in the `TrainingTask`.
public final class Trainer {
    public let recipe: Recipe
    public let task: TrainingTask
    public let source: BatchSource
    public let runFolder: String
    public let optimizer: AdamW
    public let schedule: LRSchedule
    public let totalSteps: Int
    public let accumulation: Int
    public let microBatch: Int
    public private(set) var state: TrainingState
    let store: CheckpointStore
    /// Dropout and other in-step randomness (saved in checkpoints).
    public let random: RandomSource
    var log: MetricsLog?
    /// Called after every optimiser step (tests use it to stop at an arbitrary step).
    public var onStep: ((TrainingState, Double) -> Void)?
    /// Called with (step, folder) after a checkpoint is written (periodic eval hooks in).
    public var onCheckpoint: ((Int, String) throws -> Void)?

    public struct Summary {
        public var steps: Int
        public var firstLoss: Double?
        public var lastLoss: Double?
        public var checkpoint: String?
        public var interrupted: Bool
        public var seconds: Double
    }

    public init(recipe: Recipe, task: TrainingTask, source: BatchSource, runFolder: String) throws {
        self.recipe = recipe
        self.task = task
        self.source = source
        self.runFolder = runFolder
        microBatch = recipe.int("train.micro_batch") ?? 4
        let global = recipe.int("train.global_batch") ?? 128
        accumulation = global / microBatch
        guard source.samplesPerEpoch > 0 else { throw TrainingError("the training data holds no sample", at: recipe.string("data.train") ?? recipe.file) }
        let stepsPerEpoch = Int((Double(source.samplesPerEpoch) / Double(global)).rounded(.up))
        totalSteps = recipe.int("train.max_steps") ?? max(1, Int((Double(stepsPerEpoch) * (recipe.double("train.epochs") ?? 1)).rounded(.up)))
        schedule = LRSchedule(kind: LRSchedule.Kind(rawValue: recipe.string("schedule.type") ?? "cosine") ?? .cosine,
                              warmupSteps: LRSchedule.warmup(ratio: recipe.double("schedule.warmup_ratio") ?? 0,
                                                             steps: recipe.int("schedule.warmup_steps"), total: totalSteps),
                              totalSteps: totalSteps, minRatio: recipe.double("schedule.min_lr_ratio") ?? 0)
        let params = task.root.trainableParameters()
        guard !params.isEmpty else { throw TrainingError("stage \(recipe.stage.rawValue) has no trainable parameter") }
        let betas = recipe.doubles("optim.betas")
        optimizer = AdamW(groups: AdamW.groups(params, lr: recipe.double("optim.lr")!, projectorLR: recipe.double("optim.projector_lr"),
                                               weightDecay: recipe.double("optim.weight_decay") ?? 0, isProjector: task.isProjectorParameter),
                          beta1: betas[0], beta2: betas[1], eps: recipe.double("optim.eps") ?? 1e-8)
        store = CheckpointStore(runFolder: runFolder, keepLast: recipe.int("checkpoint.keep_last") ?? 3)
        random = RandomSource(RandomGenerator(seed: recipe.seed, stream: 7))
        state = TrainingState(step: 0, epoch: 0, cursor: 0, rng: random.generator, lossScale: 1, recipeHash: recipe.hash,
                              skippedSteps: 0, skippedInARow: 0, tokensSeen: 0, stage: recipe.stage.rawValue, savedAt: "")
        for (_, m) in task.root.namedModules() { (m as? Linear)?.lora?.random = random }
    }

    // MARK: - Resume

    /// Restores weights, optimiser state, data cursor and randomness from a checkpoint folder.
    public func resume(from folder: String) throws {
        let stateData = try Data(contentsOf: URL(fileURLWithPath: folder + "/state.json"))
        let s: TrainingState
        do { s = try JSONDecoder().decode(TrainingState.self, from: stateData) } catch {
            throw TrainingError("unreadable state.json (\(error))", at: folder)
        }
        let weights = try SafeTensors.read(folder + "/trainable.safetensors")
        for (key, t) in task.root.trainableParameters() {
            guard let saved = weights[key] else { throw TrainingError("checkpoint lacks trainable tensor \(key)", at: folder) }
            guard saved.shape == t.shape else { throw TrainingError("tensor \(key) has shape \(saved.shape), the model has \(t.shape)", at: folder) }
            try t.assign(saved)
        }
        let optPath = folder + "/optimizer.safetensors"
        try optimizer.restore(state: SafeTensors.read(optPath).mapValues { $0.copy() }, steps: s.step - s.skippedSteps)
        if s.recipeHash != recipe.hash {
            Log.warning("resuming \(folder) with a changed recipe; the run may not match an uninterrupted one")
        }
        state = s
        random.generator = s.rng
        Log.info("resumed from \(folder) at step \(s.step) (epoch \(s.epoch), sample \(s.cursor))")
    }

    /// The newest complete checkpoint of this run, if any.
    public var latestCheckpoint: String? { store.latest() }

    // MARK: - Loop

    public func run() throws -> Summary {
        let began = Date()
        try FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: true)
        try AtomicFile.write(Data(recipe.resolvedYAML.utf8), to: runFolder + "/recipe.yaml")
        log = try MetricsLog(runFolder: runFolder, tensorboard: recipe.bool("log.tensorboard") ?? true)
        let progress = Progress(total: totalSteps, label: "\(recipe.stage.rawValue) step")
        let logEvery = max(1, recipe.int("log.every") ?? 10)
        let saveEvery = recipe.int("checkpoint.every") ?? 0
        let clip = recipe.double("optim.grad_clip") ?? 0
        let maxBad = recipe.int("train.max_nonfinite_steps") ?? 5
        var summary = Summary(steps: state.step, interrupted: false, seconds: 0)
        var lastSaved: Int? = nil
        task.setTraining(true)
        defer { task.setTraining(false) }
        while state.step < totalSteps {
            let t0 = Date()
            let lrScale = schedule.multiplier(step: state.step)
            var lossSum = 0.0, tokens = 0, samples = 0
            for _ in 0..<accumulation {
                let batch = try nextBatch()
                let (loss, n) = try task.loss(batch)
                let value = Double(loss.item())
                lossSum += value
                tokens += n
                samples += batch.count
                if value.isFinite { try (loss * (1 / Float(accumulation))).backward() }
            }
            let loss = lossSum / Double(accumulation)
            let norm = optimizer.gradientNorm()
            let finite = loss.isFinite && norm.isFinite
            if finite {
                if clip > 0 { optimizer.clipGradients(maxNorm: clip, norm: norm) }
                try optimizer.step(lrScale: lrScale)
                task.afterUpdate()
                state.skippedInARow = 0
            } else {
                state.skippedSteps += 1
                state.skippedInARow += 1
                Log.warning("step \(state.step + 1): non-finite \(loss.isFinite ? "gradient" : "loss"); update skipped (\(state.skippedInARow) in a row)")
            }
            optimizer.zeroGrad()
            state.step += 1
            state.tokensSeen += tokens
            state.rng = random.generator
            let seconds = Date().timeIntervalSince(t0)
            let lr = (recipe.double("optim.lr") ?? 0) * lrScale
            if summary.firstLoss == nil { summary.firstLoss = loss }
            summary.lastLoss = loss
            onStep?(state, loss)
            let detail = String(format: "loss %.4f lr %.2e %.0f tok/s", loss, lr, Double(tokens) / max(seconds, 1e-9))
            if state.step % logEvery == 0 || state.step == totalSteps || state.step == 1 {
                log?.write(step: state.step, values: [
                    ("loss", loss), ("lr", lr), ("grad_norm", norm), ("tokens", Double(tokens)), ("samples", Double(samples)),
                    ("tokens_per_s", Double(tokens) / max(seconds, 1e-9)), ("step_s", seconds), ("epoch", Double(state.epoch)),
                    ("skipped_steps", Double(state.skippedSteps)),
                ])
            }
            progress.update(done: state.step, detail: detail)
            if state.skippedInARow >= maxBad {
                progress.interrupt()
                throw TrainingError("\(maxBad) steps in a row had a non-finite loss or gradient; stopping (lower optim.lr?)", at: runFolder)
            }
            if Interrupt.isRequested {
                progress.interrupt()
                summary.checkpoint = try saveCheckpoint()
                summary.interrupted = true
                Log.info("interrupted: saved \(summary.checkpoint!) at step \(state.step); continue with --resume auto")
                break
            }
            if saveEvery > 0 && state.step % saveEvery == 0 && state.step < totalSteps {
                summary.checkpoint = try saveCheckpoint()
                lastSaved = state.step
            }
        }
        if !summary.interrupted && lastSaved != state.step {
            summary.checkpoint = try saveCheckpoint()
        }
        log?.close()
        log = nil
        summary.steps = state.step
        summary.seconds = Date().timeIntervalSince(began)
        return summary
    }

    /// The next micro-batch, advancing the epoch when one is exhausted.
    func nextBatch() throws -> TrainingBatch {
        if state.cursor >= source.samplesPerEpoch {
            state.epoch += 1
            state.cursor = 0
        }
        let batch = try source.batch(epoch: state.epoch, cursor: state.cursor, size: microBatch)
        state.cursor += batch.count
        return batch
    }

    /// Adds scalars (validation loss, eval metrics) to metrics.jsonl and TensorBoard, during
    /// the run or after it.
    public func recordMetrics(step: Int, values: [(String, Double)]) throws {
        if let log {
            log.write(step: step, values: values)
            return
        }
        let l = try MetricsLog(runFolder: runFolder, tensorboard: recipe.bool("log.tensorboard") ?? true)
        l.write(step: step, values: values)
        l.close()
    }

    /// Writes a checkpoint of the current state; returns its folder.
    @discardableResult
    public func saveCheckpoint() throws -> String {
        var s = state
        s.savedAt = ISO8601DateFormatter().string(from: Date())
        let folder = try store.save(step: state.step) { dir in
            var trainable: [String: Tensor] = [:]
            for (k, t) in task.root.trainableParameters() { trainable[k] = t }
            try SafeTensors.write(trainable, to: dir + "/trainable.safetensors")
            try SafeTensors.write(optimizer.stateTensors(), to: dir + "/optimizer.safetensors")
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try enc.encode(s), to: dir + "/state.json")
            try AtomicFile.write(Data(recipe.resolvedYAML.utf8), to: dir + "/recipe.yaml")
            try task.writeArtifacts(to: dir)
        }
        try onCheckpoint?(state.step, folder)
        return folder
    }
}

/// `metrics.jsonl` (one JSON object per logged step) and TensorBoard events.
final class MetricsLog {
    let handle: FileHandle
    let tensorboard: TensorBoardWriter?

    init(runFolder: String, tensorboard: Bool) throws {
        let path = runFolder + "/metrics.jsonl"
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { throw TrainingError("cannot write metrics", at: path) }
        h.seekToEndOfFile()
        handle = h
        self.tensorboard = tensorboard ? try TensorBoardWriter(folder: runFolder + "/tensorboard") : nil
    }

    func write(step: Int, values: [(String, Double)]) {
        var parts = ["\"step\":\(step)"]
        for (k, v) in values { parts.append("\"\(k)\":\(v.isFinite ? String(v) : "null")") }
        handle.write(("{" + parts.joined(separator: ",") + "}\n").data(using: .utf8)!)
        tensorboard?.add(step: step, scalars: values.filter { $0.1.isFinite }.map { ($0.0.contains("/") ? $0.0 : "train/" + $0.0, $0.1) })
    }

    func close() {
        try? handle.synchronize()
        tensorboard?.flush()
    }
}
