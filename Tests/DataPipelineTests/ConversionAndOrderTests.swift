import Foundation
import XCTest
import Imaging
import Shards
import Tokenizers
@testable import DataPipeline

/// LLaVA JSON -> shards with skip counts and video frame sampling; the epoch order as a
/// pure function of (seed, epoch).
final class ConversionAndOrderTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizers/llama2")

    func temporaryFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.path
    }

    func testUniformFrameSampling() {
        let frames = Array(0..<10)
        XCTAssertEqual(ShardConverter.uniformFrames(frames, count: 4), [0, 3, 6, 9])
        XCTAssertEqual(ShardConverter.uniformFrames(frames, count: 0), frames)
        XCTAssertEqual(ShardConverter.uniformFrames(frames, count: 12), frames)
        XCTAssertEqual(ShardConverter.uniformFrames(frames, count: 1), [4])
        XCTAssertEqual(ShardConverter.uniformFrames(Array(0..<7), count: 3), [0, 3, 6])
    }

    func testEpochOrderIsAPureFunctionOfSeedAndEpoch() {
        let a = EpochOrder(count: 50, seed: 9, shuffle: true)
        let b = EpochOrder(count: 50, seed: 9, shuffle: true)
        XCTAssertEqual(a.indices(epoch: 3), b.indices(epoch: 3))
        XCTAssertNotEqual(a.indices(epoch: 0), a.indices(epoch: 1))
        XCTAssertEqual(a.indices(epoch: 2).sorted(), Array(0..<50))
        XCTAssertEqual(EpochOrder(count: 5, seed: 1, shuffle: false).indices(epoch: 4), [0, 1, 2, 3, 4])
        // Modality grouping: every megabatch is all text (negative lengths) or all multimodal,
        // but for the last, where LLaVA's sampler puts the leftovers of both kinds together.
        let lengths = (0..<40).map { $0 % 3 == 0 ? -(5 + $0) : 5 + $0 }
        let grouped = EpochOrder(count: 40, seed: 2, shuffle: true, lengths: lengths, megabatch: 4, groupByModality: true).indices(epoch: 0)
        XCTAssertEqual(grouped.sorted(), Array(0..<40))
        for start in stride(from: 0, to: 36, by: 4) {
            let kinds = Set(grouped[start..<min(start + 4, 40)].map { lengths[$0] < 0 })
            XCTAssertEqual(kinds.count, 1, "megabatch at \(start) mixes text and images")
        }
    }

    func testConversionCountsWhatItSkipsAndSamplesVideoFrames() throws {
        let dir = try temporaryFolder()
        let images = dir + "/images"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        for i in 0..<6 {
            let img = RGBImage(width: 20 + i, height: 16, filledWith: RGBPixel(red: UInt8(40 * i), green: 100, blue: 200))
            try img.pngData().write(to: URL(fileURLWithPath: images + "/\(i).png"))
        }
        func turns(_ q: String) -> [[String: String]] { [["from": "human", "value": q], ["from": "gpt", "value": "an answer"]] }
        let samples: [[String: Any]] = [
            ["id": "ok-1", "image": "0.png", "conversations": turns("<image>\nWhat is this?")],
            ["id": "ok-2", "image": "1.png", "conversations": turns("<image>\nAnd this?")],
            ["id": "missing", "image": "nope.png", "conversations": turns("<image>\nWhere?")],
            ["id": "tags", "image": "2.png", "conversations": turns("<image>\n<image>\nTwo tags, one image")],
            ["id": "text", "conversations": turns("Just text")],
            ["id": "video", "video": ["0.png", "1.png", "2.png", "3.png", "4.png", "5.png"], "conversations": turns("<video>\nWhat happens?")],
        ]
        try JSONSerialization.data(withJSONObject: samples).write(to: URL(fileURLWithPath: dir + "/data.json"))
        let tok = try Tokenizer(folder: Self.fixtures)
        var options = ShardConverter.Options(json: dir + "/data.json", images: images, out: dir + "/shards", template: .vicunaV1,
                                             imageSize: 16, mode: .pad, storage: .pixels, maxLength: 512, shardSamples: 100,
                                             maxSkipFraction: 0.5, processor: .clip(side: 16))
        options.videoFrames = 3
        let report = try ShardConverter(options: options, tokenizer: tok).run()
        XCTAssertEqual(report.converted, 4, "two images, text-only, video")
        XCTAssertEqual(report.skipped.values.reduce(0, +), 2, "\(report.skipped)")
        XCTAssertEqual(report.skipped.count, 2, "missing image and tag mismatch are separate reasons: \(report.skipped)")
        let index = try ShardIndex.read(fromFolder: dir + "/shards")
        XCTAssertEqual(index.sampleCount, 4)
        XCTAssertEqual(index.shards.reduce(0) { $0 + $1.images }, 2 + 3, "the video keeps 3 of its 6 frames")
        XCTAssertEqual(index.skipped, report.skipped)
    }
}
