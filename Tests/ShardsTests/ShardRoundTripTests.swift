import Checksums
import Foundation
import XCTest
@testable import Shards

/// What the writer writes, the reader reads back exactly, for both storages.
final class ShardRoundTripTests: XCTestCase {
    private var folder: TemporaryFolder!
    override func setUpWithError() throws { folder = try TemporaryFolder() }
    override func tearDown() { folder.remove() }

    /// 100 samples of up to 400 tokens span several token chunks, so reads cross
    /// chunk boundaries.
    func testPixelShardRoundTrip() throws {
        let samples = SampleFactory.samples(count: 100, storage: .pixels, imageSize: 24, seed: 1)
        let path = folder.file("shard-00000.h5")
        let entry = try writeShard(samples, to: path, storage: .pixels, imageSize: 24)
        XCTAssertEqual(folder.contents, ["shard-00000.h5"], "the temporary file was renamed, nothing else left")

        XCTAssertEqual(entry.file, "shard-00000.h5")
        XCTAssertEqual(entry.samples, 100)
        XCTAssertEqual(entry.tokens, samples.reduce(0) { $0 + $1.inputIds.count })
        XCTAssertGreaterThan(entry.tokens, 2 * ShardWriter.Chunking.tokens)
        XCTAssertEqual(entry.images, samples.reduce(0) { $0 + $1.images.count })
        XCTAssertEqual(entry.sha256, try SHA256.hashFile(atPath: path).hexadecimal)

        let reader = try ShardReader(path: path)
        XCTAssertEqual(reader.storage, .pixels)
        XCTAssertEqual(reader.imageSize, 24)
        XCTAssertEqual(reader.sampleCount, 100)
        XCTAssertEqual(reader.tokenCount, entry.tokens)
        XCTAssertEqual(reader.imageCount, entry.images)
        // Backwards, so that every read is a cache miss somewhere new.
        for index in (0..<100).reversed() {
            XCTAssertEqual(try reader.sample(at: index), samples[index], "sample \(index)")
        }
        var tokenStart = 0, imageStart = 0
        for (index, sample) in samples.enumerated() {
            XCTAssertEqual(try reader.tokenRange(ofSample: index), tokenStart..<tokenStart + sample.inputIds.count)
            XCTAssertEqual(try reader.imageRange(ofSample: index), imageStart..<imageStart + sample.images.count)
            XCTAssertEqual(try reader.modality(ofSample: index), sample.modality)
            tokenStart += sample.inputIds.count
            imageStart += sample.images.count
        }
        // The no-copy pixel read gives the same bytes.
        var buffer = [UInt8](repeating: 0, count: 24 * 24 * 3)
        try buffer.withUnsafeMutableBytes { try reader.readPixels(ofImage: 2, into: $0) }
        let third = samples.flatMap(\.images)[2]
        XCTAssertEqual(ShardImage.pixels(buffer), third)
        assertShardError(.outOfRange, [path, "100"]) { try reader.sample(at: 100) }
        assertShardError(.outOfRange, [path]) { try reader.sample(at: -1) }
        assertShardError(.outOfRange, [path, "image"]) { try buffer.withUnsafeMutableBytes { try reader.readPixels(ofImage: entry.images, into: $0) } }
    }

    func testEncodedShardRoundTrip() throws {
        let samples = SampleFactory.samples(count: 40, storage: .encoded, imageSize: 0, seed: 2)
        let path = folder.file("shard-00001.h5")
        let entry = try writeShard(samples, to: path, storage: .encoded, imageSize: 0)
        let reader = try ShardReader(path: path)
        XCTAssertEqual(reader.storage, .encoded)
        XCTAssertNil(reader.imageSize)
        XCTAssertEqual(reader.imageCount, entry.images)
        for index in 0..<samples.count {
            XCTAssertEqual(try reader.sample(at: index), samples[index], "sample \(index)")
        }
        var buffer = [UInt8](repeating: 0, count: 12)
        assertShardError(.invalidValue, [path, "encoded"]) { try buffer.withUnsafeMutableBytes { try reader.readPixels(ofImage: 0, into: $0) } }
    }

    /// An empty shard is valid: offsets [0], empty datasets.
    func testEmptyShard() throws {
        let path = folder.file("shard-00000.h5")
        let entry = try writeShard([], to: path, storage: .pixels, imageSize: 8)
        XCTAssertEqual([entry.samples, entry.tokens, entry.images], [0, 0, 0])
        let reader = try ShardReader(path: path)
        XCTAssertEqual(reader.sampleCount, 0)
        XCTAssertEqual(reader.imageSize, 8)
    }

    /// Different levels give different files with the same contents.
    func testCompressionLevelIsUsed() throws {
        let samples = SampleFactory.samples(count: 20, storage: .pixels, imageSize: 32, seed: 4)
        let fast = try writeShard(samples, to: folder.file("fast.h5"), storage: .pixels, imageSize: 32, level: 1)
        let strong = try writeShard(samples, to: folder.file("strong.h5"), storage: .pixels, imageSize: 32, level: 15)
        XCTAssertNotEqual(fast.sha256, strong.sha256)
        let sizes = try [folder.file("fast.h5"), folder.file("strong.h5")].map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as! Int }
        XCTAssertLessThan(sizes[1], sizes[0])
        let reader = try ShardReader(path: folder.file("strong.h5"))
        XCTAssertEqual(try reader.sample(at: 19), samples[19])
    }

    func testInvalidSamplesAreRejectedAndTheWriterGoesOn() throws {
        let path = folder.file("shard-00000.h5")
        let writer = try ShardWriter(path: path, storage: .pixels, imageSize: 4)
        let image = ShardImage.pixels([UInt8](repeating: 9, count: 48))
        assertShardError(.invalidSample, [path, "3 input ids but 2 labels"]) {
            try writer.append(id: "a", modality: .text, inputIds: [1, 2, 3], labels: [1, 2])
        }
        assertShardError(.invalidSample, ["1 image placeholders (-200) but 2 images"]) {
            try writer.append(id: "b", modality: .image, inputIds: [1, -200], labels: [-100, -100], images: [image, image])
        }
        assertShardError(.invalidSample, ["image 0 has 12 bytes, expected 4x4x3 = 48"]) {
            try writer.append(id: "c", modality: .image, inputIds: [-200], labels: [-100], images: [.pixels([UInt8](repeating: 0, count: 12))])
        }
        assertShardError(.invalidSample, ["image 0 is encoded but the shard stores pixels"]) {
            try writer.append(id: "d", modality: .image, inputIds: [-200], labels: [-100], images: [.encoded(bytes: [1], format: .png)])
        }
        assertShardError(.invalidSample, ["a text sample with 1 images"]) {
            try writer.append(id: "e", modality: .text, inputIds: [5], labels: [5], images: [image])
        }
        assertShardError(.invalidSample, ["a video sample without frames"]) {
            try writer.append(id: "f", modality: .video, inputIds: [-201], labels: [-100])
        }
        assertShardError(.invalidSample, ["NUL"]) {
            try writer.append(id: "g\u{0}h", modality: .text, inputIds: [5], labels: [5])
        }
        try writer.append(id: "ok", modality: .image, inputIds: [7, -200, 8], labels: [-100, -100, 8], images: [image])
        let entry = try writer.finish()
        XCTAssertEqual([entry.samples, entry.tokens, entry.images], [1, 3, 1])
        XCTAssertEqual(try ShardReader(path: path).sample(at: 0),
                       ShardSample(id: "ok", modality: .image, inputIds: [7, -200, 8], labels: [-100, -100, 8], images: [image]))
        assertShardError(.invalidSample, ["after finish"]) { try writer.append(id: "late", modality: .text, inputIds: [], labels: []) }
    }

    /// A writer dropped (or discarded) before `finish()` leaves nothing behind.
    func testAbandonedWriterLeavesNoFile() throws {
        do {
            let writer = try ShardWriter(path: folder.file("shard-00000.h5"), storage: .pixels, imageSize: 4)
            try writer.append(id: "x", modality: .text, inputIds: [1], labels: [1])
            XCTAssertEqual(folder.contents.count, 1, "the hidden temporary file exists while writing")
            XCTAssertTrue(folder.contents[0].hasPrefix(".shard-00000.h5.tmp-"))
        }
        XCTAssertEqual(folder.contents, [])
        let writer = try ShardWriter(path: folder.file("shard-00001.h5"), storage: .encoded, imageSize: 0)
        writer.discard()
        XCTAssertEqual(folder.contents, [])
    }
}
