import Checksums
import Foundation
import XCTest
@testable import Shards

/// Shards written by h5py with `hdf5plugin.Zstd(clevel=...)` (Tests/Fixtures/scripts/
/// make_shard_fixtures.py): every value must read back as the script recorded it, which
/// proves that our filter decodes hdf5plugin's zstd and that the reader follows the
/// layout as another implementation writes it.
final class H5pyFixtureTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/shards")

    struct Expected: Decodable {
        struct Image: Decodable {
            let sha256: String?
            let base64: String?
            let format: String?
        }
        struct Sample: Decodable {
            let id: String
            let modality: UInt8
            let input_ids: [Int32]
            let labels: [Int32]
            let images: [Image]
        }
        struct File: Decodable {
            let storage: String
            let compression_level: Int
            let samples: [Sample]
        }
        struct Failure: Decodable {
            let file: String
            let kind: String?
            let fragments: [String]
        }
        let image_size: Int
        let files: [String: File]
        let errors: [Failure]
    }

    private func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.folder.appendingPathComponent("expected.json")))
    }

    func testEveryValueOfTheH5pyShards() throws {
        let expected = try expected()
        XCTAssertEqual(Set(expected.files.keys), ["h5py-pixels.h5", "h5py-encoded.h5"])
        for (name, file) in expected.files {
            let reader = try ShardReader(path: Self.folder.appendingPathComponent(name).path)
            XCTAssertEqual(reader.storage.rawValue, file.storage, name)
            XCTAssertEqual(reader.sampleCount, file.samples.count, name)
            XCTAssertEqual(reader.tokenCount, file.samples.reduce(0) { $0 + $1.input_ids.count }, name)
            XCTAssertEqual(reader.imageCount, file.samples.reduce(0) { $0 + $1.images.count }, name)
            if reader.storage == .pixels { XCTAssertEqual(reader.imageSize, expected.image_size) }
            // Reverse order: h5py's chunks hold several images and 256 tokens each, so this
            // also reads parts of chunks out of order.
            for (index, want) in file.samples.enumerated().reversed() {
                let sample = try reader.sample(at: index)
                XCTAssertEqual(sample.id, want.id, "\(name) sample \(index)")
                XCTAssertEqual(sample.modality.rawValue, want.modality, "\(name) sample \(index)")
                XCTAssertEqual(sample.inputIds, want.input_ids, "\(name) sample \(index)")
                XCTAssertEqual(sample.labels, want.labels, "\(name) sample \(index)")
                XCTAssertEqual(sample.images.count, want.images.count, "\(name) sample \(index)")
                for (image, wantImage) in zip(sample.images, want.images) {
                    switch image {
                    case .pixels(let bytes):
                        XCTAssertEqual(bytes.count, expected.image_size * expected.image_size * 3)
                        XCTAssertEqual(SHA256.hash(bytes).hexadecimal, wantImage.sha256, "\(name) sample \(index)")
                    case .encoded(let bytes, let format):
                        XCTAssertEqual(Data(bytes).base64EncodedString(), wantImage.base64, "\(name) sample \(index)")
                        XCTAssertEqual(format.rawValue, wantImage.format, "\(name) sample \(index)")
                    }
                }
            }
        }
    }

    /// Each error file breaks one rule; the reader names the file, the object and the
    /// problem in one line. `minimal-valid.h5` (kind null) is the same file unbroken.
    func testMalformedFilesFromH5py() throws {
        let expected = try expected()
        XCTAssertGreaterThanOrEqual(expected.errors.count, 10)
        for failure in expected.errors {
            let path = Self.folder.appendingPathComponent(failure.file).path
            guard let kindName = failure.kind else {
                XCTAssertEqual(try ShardReader(path: path).sample(at: 0).inputIds, [5, -200, 6], failure.file)
                continue
            }
            let kind = try XCTUnwrap(ShardError.Kind(rawValue: kindName), kindName)
            assertShardError(kind, [path] + failure.fragments) { try ShardReader(path: path) }
        }
    }
}
