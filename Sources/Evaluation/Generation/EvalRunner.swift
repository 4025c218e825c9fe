import Foundation
import Imaging
import Tensors

/// Runs the model on eval sets and scores them: prompts as `Prompts.text`, generation in
/// batches, outputs as `EvaluationOutputs` writes them. Items whose image cannot be read are
/// reported with a count and the run goes on.
public struct EvalRunner {
    public let generator: Generator
    public var options: GenerationOptions
    public var batchSize: Int
    public var limit: Int?
    public var style: PromptStyle

    public init(generator: Generator, options: GenerationOptions, batchSize: Int = 16, limit: Int? = nil, style: PromptStyle = .llava15) {
        self.generator = generator
        self.options = options
        self.batchSize = batchSize
        self.limit = limit
        self.style = style
    }

    public struct Result {
        public var set: String
        public var report: EvalReport
        public var failed: [String: Int]
        public var seconds: Double
    }

    /// Scores one JSONL set, writing answers and reports into `outFolder/<set name>/`.
    public func run(set path: String, imageFolder: String? = nil, outFolder: String, modelID: String,
                    progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        let began = Date()
        let url = URL(fileURLWithPath: path)
        let images = URL(fileURLWithPath: imageFolder ?? url.deletingLastPathComponent().path)
        var set = try EvalSet.load(contentsOf: url, imageFolder: images)
        if let limit, set.items.count > limit { set = EvalSet(items: Array(set.items.prefix(limit)), skipped: set.skipped, source: path) }
        var answers: [String: String] = [:], failed: [String: Int] = [:]
        var start = 0
        while start < set.items.count {
            let chunk = Array(set.items[start..<min(start + batchSize, set.items.count)])
            var requests: [Generator.Request] = [], ids: [String] = []
            for item in chunk {
                do {
                    let imgs = try item.images.map { p -> RGBImage in
                        let file = p.hasPrefix("/") ? URL(fileURLWithPath: p) : images.appendingPathComponent(p)
                        return try RGBImage(contentsOf: file)
                    }
                    requests.append(Generator.Request(prompt: Prompts.text(for: item, style: style), images: imgs))
                    ids.append(item.id)
                } catch {
                    failed["unreadable_image", default: 0] += 1
                    Log.warning("eval item \(item.id): \(error)")
                }
            }
            let texts = try generator.answer(requests, options: options)
            for (id, t) in zip(ids, texts) { answers[id] = t }
            start += chunk.count
            progress?(start, set.items.count)
        }
        let name = url.deletingPathExtension().lastPathComponent
        let report = try EvaluationOutputs.write(set: set, answers: answers, modelID: modelID, style: style,
                                                 to: URL(fileURLWithPath: outFolder).appendingPathComponent(name))
        return Result(set: name, report: report, failed: failed, seconds: Date().timeIntervalSince(began))
    }
}
