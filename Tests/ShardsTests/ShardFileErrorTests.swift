import Foundation
import XCTest
@testable import Shards

/// Files that are not whole shards: missing, truncated, not HDF5 at all.
final class ShardFileErrorTests: XCTestCase {
    private var folder: TemporaryFolder!
    override func setUpWithError() throws { folder = try TemporaryFolder() }
    override func tearDown() { folder.remove() }

    func testMissingFile() {
        assertShardError(.missingFile, [folder.file("shard-00009.h5"), "no such file"]) { try ShardReader(path: folder.file("shard-00009.h5")) }
    }

    /// Cut at several points: HDF5 notices the end of file is short of what the
    /// superblock records, and says so.
    func testTruncatedFiles() throws {
        let samples = SampleFactory.samples(count: 12, storage: .pixels, imageSize: 16, seed: 5)
        let whole = folder.file("whole.h5")
        try writeShard(samples, to: whole, storage: .pixels, imageSize: 16)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        for fraction in [0.02, 0.5, 0.99] {
            let path = folder.file("cut-\(fraction).h5")
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: path))
            assertShardError(.unreadableFile, [path, "not a readable HDF5 file"]) { try ShardReader(path: path) }
        }
    }

    func testNotHDF5AtAll() throws {
        let path = folder.file("shard-00000.h5")
        try Data("{\"format\": \"vlmtune-shard\"}".utf8).write(to: URL(fileURLWithPath: path))
        assertShardError(.unreadableFile, [path]) { try ShardReader(path: path) }
        try Data().write(to: URL(fileURLWithPath: path))
        assertShardError(.unreadableFile, [path]) { try ShardReader(path: path) }
    }
}
