import Foundation
import XCTest
@testable import Shards

/// A small deterministic generator (SplitMix64), so test data is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds plausible samples: text, single- and multi-image, video; tokens with placeholders
/// and -100 labels on the prompt; images as smooth gradients plus noise (compressible, but
/// not trivially), or as fake encoded files.
enum SampleFactory {
    static func samples(count: Int, storage: ImageStorage, imageSize: Int, seed: UInt64, tokens: ClosedRange<Int> = 20...400) -> [ShardSample] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { number in
            let modality: Modality = number % 7 == 3 ? .text : (number % 11 == 5 ? .video : .image)
            let imageCount = modality == .text ? 0 : (modality == .video ? 3 : (number % 5 == 0 ? 2 : 1))
            let length = Int.random(in: tokens, using: &random)
            var ids = (0..<length).map { _ in Int32.random(in: 1...32_000, using: &random) }
            let placeholders = modality == .image ? imageCount : (modality == .video ? 1 : 0)
            for k in 0..<placeholders { ids[min(1 + k, ids.count - 1)] = modality == .video ? ShardLayout.videoPlaceholder : ShardLayout.imagePlaceholder }
            let promptLength = length / 3
            let labels = ids.enumerated().map { index, id in index < promptLength || id < 0 ? ShardLayout.ignoredLabel : id }
            let images = (0..<imageCount).map { _ in image(storage: storage, size: imageSize, using: &random) }
            return ShardSample(id: "sample-\(number)-ü\(seed)", modality: modality, inputIds: ids, labels: labels, images: images)
        }
    }

    static func image(storage: ImageStorage, size: Int, using random: inout SeededGenerator) -> ShardImage {
        switch storage {
        case .pixels:
            let tint = UInt8.random(in: 0...255, using: &random)
            var bytes = [UInt8](repeating: 0, count: size * size * 3)
            for y in 0..<size {
                for x in 0..<size {
                    let base = (y * size + x) * 3
                    bytes[base] = UInt8(truncatingIfNeeded: x * 255 / max(size - 1, 1))
                    bytes[base + 1] = UInt8(truncatingIfNeeded: y * 255 / max(size - 1, 1)) &+ UInt8.random(in: 0...7, using: &random)
                    bytes[base + 2] = tint
                }
            }
            return .pixels(bytes)
        case .encoded:
            let length = Int.random(in: 50...3000, using: &random)
            let format: EncodedImageFormat = Bool.random(using: &random) ? .png : .jpeg
            return .encoded(bytes: (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }, format: format)
        }
    }
}

/// A fresh temporary folder, removed by `tearDown` of the test case that made it.
final class TemporaryFolder {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-shards-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Writes `samples` into one shard file and returns its index entry.
@discardableResult
func writeShard(_ samples: [ShardSample], to path: String, storage: ImageStorage, imageSize: Int, level: Int = 3) throws -> ShardEntry {
    let writer = try ShardWriter(path: path, storage: storage, imageSize: imageSize, compressionLevel: level)
    for sample in samples { try writer.append(sample) }
    return try writer.finish()
}

/// Asserts that `body` throws a `ShardError` of `kind` whose message contains each of
/// `fragments`, and returns it.
@discardableResult
func assertShardError<T>(_ kind: ShardError.Kind, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) -> ShardError? {
    do {
        _ = try body()
        XCTFail("expected a \(kind) error", file: file, line: line)
    } catch let error as ShardError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
        XCTAssertFalse(error.description.contains("\n"), "not one line: \(error)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected a ShardError, got \(error)", file: file, line: line)
    }
    return nil
}
