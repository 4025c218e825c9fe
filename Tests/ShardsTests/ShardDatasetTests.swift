import Foundation
import XCTest
@testable import Shards

/// A folder of shards: global numbering, lazy opening, checks against index.json.
final class ShardDatasetTests: XCTestCase {
    private var folder: TemporaryFolder!
    private var samples: [[ShardSample]] = []
    override func setUpWithError() throws {
        folder = try TemporaryFolder()
        // Three shards, the middle one empty, to exercise the global-to-local mapping.
        samples = [SampleFactory.samples(count: 9, storage: .pixels, imageSize: 16, seed: 10), [],
                   SampleFactory.samples(count: 5, storage: .pixels, imageSize: 16, seed: 11)]
        var entries: [ShardEntry] = []
        for (number, shard) in samples.enumerated() {
            entries.append(try writeShard(shard, to: folder.file(ShardLayout.shardFileName(number)), storage: .pixels, imageSize: 16))
        }
        try index(entries).write(toFolder: folder.path)
    }
    override func tearDown() { folder.remove() }

    private func index(_ entries: [ShardEntry], storage: ImageStorage = .pixels, size: Int = 16) -> ShardIndex {
        ShardIndex(template: "plain", tokenizerSHA256: "t", image: .init(size: size, mode: "pad", storage: storage, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]),
                   shards: entries, skipped: ["too_long": 3], source: "test.json")
    }

    func testGlobalIndexMapsToShardsAndSamples() throws {
        let data = try ShardDataset(folder: folder.path)
        XCTAssertEqual(data.count, 14)
        XCTAssertEqual(data.shardCount, 3)
        let all = samples.flatMap { $0 }
        for global in 0..<data.count {
            XCTAssertEqual(try data.sample(at: global), all[global], "sample \(global)")
        }
        XCTAssertTrue(try data.location(of: 8) == (0, 8))
        XCTAssertTrue(try data.location(of: 9) == (2, 0))
        XCTAssertTrue(try data.location(of: 13) == (2, 4))
        assertShardError(.outOfRange, [folder.path, "14"]) { try data.sample(at: 14) }
        try data.validate()
        try data.verify()
    }

    func testConcurrentReadsFromTwoThreadsAgree() throws {
        let data = try ShardDataset(folder: folder.path)
        let all = samples.flatMap { $0 }
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 2)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            var ok = true
            for round in 0..<5 {
                for global in 0..<all.count {
                    let index = thread == 0 ? global : all.count - 1 - global
                    if (try? data.sample(at: (index + round) % all.count)) != all[(index + round) % all.count] { ok = false }
                }
            }
            results[thread] = ok
        }
        XCTAssertEqual(Array(results), [true, true])
    }

    func testIndexThatDisagreesWithAShard() throws {
        let real = try ShardIndex.read(fromFolder: folder.path)
        var wrong = real
        wrong.shards[2].samples = 6
        try wrong.write(toFolder: folder.path)
        var data = try ShardDataset(folder: folder.path)
        _ = try data.sample(at: 0) // shard 0 is fine
        assertShardError(.indexMismatch, ["index.json", "shard-00002.h5", "samples is 6 in the index but 5 in the file"]) { try data.sample(at: 10) }

        wrong = real
        wrong.shards[0].tokens += 1
        try wrong.write(toFolder: folder.path)
        assertShardError(.indexMismatch, ["shard-00000.h5", "tokens"]) { try ShardDataset(folder: folder.path).validate() }

        try index(real.shards, size: 32).write(toFolder: folder.path)
        assertShardError(.indexMismatch, ["image size is 32 in the index but 16 in the file"]) { try ShardDataset(folder: folder.path).validate() }
        try index(real.shards, storage: .encoded).write(toFolder: folder.path)
        assertShardError(.indexMismatch, ["image storage is encoded in the index but pixels in the file"]) { try ShardDataset(folder: folder.path).validate() }

        wrong = real
        wrong.shards[1].sha256 = String(repeating: "0", count: 64)
        try wrong.write(toFolder: folder.path)
        data = try ShardDataset(folder: folder.path)
        try data.validate() // counts agree; only the checksum is off
        assertShardError(.indexMismatch, ["shard-00001.h5", "sha256"]) { try data.verify() }
    }

    func testMissingShardFile() throws {
        try FileManager.default.removeItem(atPath: folder.file("shard-00002.h5"))
        let data = try ShardDataset(folder: folder.path)
        XCTAssertEqual(try data.sample(at: 0), samples[0][0])
        assertShardError(.missingFile, [folder.file("shard-00002.h5")]) { try data.sample(at: 9) }
    }
}
