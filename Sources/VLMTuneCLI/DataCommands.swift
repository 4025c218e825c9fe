import ArgumentParser
import DataPipeline
import Foundation
import Imaging
import Shards
import Tensors
import Tokenizers
import Training

/// `vlmtune data`: making and inspecting training data.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Make and inspect training data: LLaVA JSON to sharded HDF5, summaries, the synthetic shapes world.",
        subcommands: [Convert.self, Inspect.self, SynthShapes.self])

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert LLaVA-format JSON and its images into sharded HDF5 (docs/DATA.md).",
            discussion: "Bad samples (missing or undecodable images, image/tag count mismatches, no assistant turn, too long) are skipped and counted by reason; the conversion stops only past --max-skip-fraction. An interrupted conversion resumes: finished shards are kept when their sha256 still matches.")

        @Option(help: "LLaVA JSON file (a list of {id, image, conversations}).") var json: String
        @Option(help: "Folder that image paths are relative to.") var images: String
        @Option(help: "Folder with tokenizer.json (the LLM's).") var tokenizer: String
        @Option(help: "Chat template: plain (stage 1), vicuna_v1, llama3, chatml.") var template: String
        @Option(help: "Output shard folder.") var out: String
        @Option(help: "Side of the square images stored (default: the tower's crop size from --image-config, else 336).") var imageSize: Int?
        @Option(help: "pad (LLaVA-1.5's expand2square), crop (CLIP) or resize (SigLIP).") var imageMode = "pad"
        @Option(help: "pixels (preprocessed RGB) or encoded (original PNG/JPEG bytes).") var storage = "pixels"
        @Option(help: "Longest sample in tokens; longer ones are truncated, or skipped when truncation would cut an image.") var maxLength = 2048
        @Option(help: "Tokens one image takes after splicing (the tower's patch count) for the length check; 0 counts it as one.") var imageTokens = 0
        @Option(help: "Samples per shard file.") var shardSamples = 10_000
        @Option(help: "Stop when more than this fraction of the samples is bad.") var maxSkipFraction = 0.1
        @Option(help: "Vision tower folder whose preprocessor_config.json gives size, mean and std (CLIP defaults otherwise).") var imageConfig: String?
        @Option(help: "Keep at most this many frames of a video sample, sampled uniformly (0: all).") var videoFrames = 0

        func run() throws {
            try reportingErrors {
                let tok = try Tokenizer(folder: URL(fileURLWithPath: tokenizer))
                var processor = ImageProcessorConfig.clip(side: 336)
                if let imageConfig {
                    processor = try ImageProcessorConfig.load(towerDirectory: URL(fileURLWithPath: imageConfig), fallback: processor)
                }
                guard let mode = ImageMode(rawValue: imageMode) else { throw CLIError("--image-mode must be pad, crop or resize, got \(imageMode)") }
                guard let st = ImageStorage(rawValue: storage) else { throw CLIError("--storage must be pixels or encoded, got \(storage)") }
                let side = imageSize ?? processor.centerCrop?.squareSide ?? 336
                let options = ShardConverter.Options(json: json, images: images, out: out, template: try ChatTemplate(name: template),
                                                     imageSize: side, mode: mode, storage: st, maxLength: maxLength, imageTokens: imageTokens,
                                                     shardSamples: shardSamples, maxSkipFraction: maxSkipFraction, processor: processor)
                var opts = options
                opts.videoFrames = videoFrames
                let progress = Progress(total: 1, label: "convert")
                let report = try ShardConverter(options: opts, tokenizer: tok).run { done, total in
                    progress.total = max(total, 1)
                    progress.update(done: done, detail: "samples", force: done == total)
                }
                print("converted \(report.converted) samples into \(report.index.shards.count) shard(s) in \(out) (\(String(format: "%.1f", report.seconds)) s)")
                if report.reusedShards > 0 { print("  resumed: \(report.reusedShards) finished shard(s) kept") }
                for (reason, n) in report.skipped.sorted(by: { $0.key < $1.key }) { print("  skipped \(n): \(reason)") }
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Summarise a shard folder or file; --show K decodes sample K back to text.")

        @Argument(help: "A shard folder (with index.json) or one shard-NNNNN.h5 file.") var path: String
        @Option(help: "Decode this sample (global index) back to text.") var show: Int?
        @Option(help: "Tokenizer folder for --show (checked against the folder's tokenizer_sha256).") var tokenizer: String?

        func run() throws {
            try reportingErrors {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw CLIError("no such file or folder", at: path) }
                let fetch: (Int) throws -> ShardSample
                if isDir.boolValue {
                    let ds = try ShardDataset(folder: path)
                    try ds.validate()
                    let ix = ds.index
                    print("shards \(ix.shards.count), samples \(ix.sampleCount), tokens \(ix.tokenCount), images \(ix.imageCount)")
                    print("template \(ix.template), tokenizer sha256 \(ix.tokenizerSHA256)")
                    print("images \(ix.image.size)x\(ix.image.size) \(ix.image.mode), storage \(ix.image.storage.rawValue), mean \(ix.image.mean), std \(ix.image.std)")
                    if !ix.skipped.isEmpty {
                        print("skipped at conversion: " + ix.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                    }
                    fetch = { try ds.sample(at: $0) }
                } else {
                    let r = try ShardReader(path: path)
                    print("samples \(r.sampleCount), tokens \(r.tokenCount), images \(r.imageCount), storage \(r.storage.rawValue)\(r.imageSize.map { ", \($0)x\($0)" } ?? "")")
                    fetch = { try r.sample(at: $0) }
                }
                guard let k = show else { return }
                let s = try fetch(k)
                print("sample \(k): id \(s.id), \(s.modality), \(s.inputIds.count) tokens, \(s.images.count) image(s), \(s.labels.filter { $0 != -100 }.count) trained")
                guard let tokenizer else { print("input_ids \(s.inputIds)"); return }
                let tok = try Tokenizer(folder: URL(fileURLWithPath: tokenizer))
                print("text: " + Self.render(s.inputIds, tok))
                let trained = s.inputIds.enumerated().filter { s.labels[$0.offset] != -100 }.map(\.element)
                print("trained: " + tok.decode(trained))
            }
        }

        /// Decoded text with placeholders shown as <image> / <video>.
        static func render(_ ids: [Int32], _ tok: Tokenizer) -> String {
            var out = "", run: [Int32] = []
            for id in ids + [Int32.min] {
                if id >= 0 { run.append(id); continue }
                out += tok.decode(run)
                run = []
                if id == -200 { out += "<image>" } else if id == -201 { out += "<video>" }
            }
            return out
        }
    }
}
