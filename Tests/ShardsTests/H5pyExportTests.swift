import Checksums
import Foundation
import XCTest
@testable import Shards

/// Writes shard folders for Tests/Fixtures/scripts/check_shard_with_h5py.py, which reads
/// them with h5py + hdf5plugin and compares every value with the `expected.json` written
/// here (the same schema as the h5py fixtures' expected.json). Runs only when
/// `VLMTUNE_SHARD_EXPORT_DIR` names a folder; CI skips it.
///
///     VLMTUNE_SHARD_EXPORT_DIR=/tmp/export swift test ... --filter H5pyExportTests
///     python Tests/Fixtures/scripts/check_shard_with_h5py.py /tmp/export/pixels
final class H5pyExportTests: XCTestCase {
    func testExportShardsForTheH5pyCheck() throws {
        guard let root = ProcessInfo.processInfo.environment["VLMTUNE_SHARD_EXPORT_DIR"] else {
            throw XCTSkip("set VLMTUNE_SHARD_EXPORT_DIR to write shards for the h5py check")
        }
        for storage in ImageStorage.allCases {
            let folder = URL(fileURLWithPath: root).appendingPathComponent(storage.rawValue).path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let size = 32
            var entries: [ShardEntry] = []
            var files: [String: Any] = [:]
            for number in 0..<2 {
                let samples = SampleFactory.samples(count: 25, storage: storage, imageSize: size, seed: UInt64(100 + number))
                let name = ShardLayout.shardFileName(number)
                entries.append(try writeShard(samples, to: folder + "/" + name, storage: storage, imageSize: size, level: 5))
                files[name] = ["storage": storage.rawValue, "compression_level": 5, "samples": samples.map(Self.describe)]
            }
            let index = ShardIndex(template: "vicuna_v1", tokenizerSHA256: String(repeating: "ab", count: 32),
                                   image: .init(size: size, mode: "pad", storage: storage, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711]),
                                   shards: entries, skipped: ["no_answer": 1], source: "export-test")
            try index.write(toFolder: folder)
            let expected: [String: Any] = ["image_size": size, "files": files, "errors": [Any]()]
            try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: URL(fileURLWithPath: folder + "/expected.json"))
            try ShardDataset(folder: folder).verify()
        }
    }

    static func describe(_ sample: ShardSample) -> [String: Any] {
        let images: [[String: Any]] = sample.images.map { image in
            switch image {
            case .pixels(let bytes): return ["sha256": SHA256.hash(bytes).hexadecimal]
            case .encoded(let bytes, let format): return ["base64": Data(bytes).base64EncodedString(), "format": format.rawValue]
            }
        }
        return ["id": sample.id, "modality": Int(sample.modality.rawValue), "input_ids": sample.inputIds.map(Int.init),
                "labels": sample.labels.map(Int.init), "images": images]
    }
}
