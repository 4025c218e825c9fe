import Checksums
import Foundation
import XCTest
@testable import Shards

/// Shard files are hashed from disk in pieces; the digest must equal hashing the bytes.
final class ShardFileHashTests: XCTestCase {
    func testHashFileMatchesHashOfBytes() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var random = SeededGenerator(seed: 3)
        let bytes = (0..<(3 << 20) + 17).map { _ in UInt8.random(in: 0...255, using: &random) }
        try Data(bytes).write(to: URL(fileURLWithPath: folder.file("blob")))
        XCTAssertEqual(try SHA256.hashFile(atPath: folder.file("blob")), SHA256.hash(bytes))
        assertShardError(.missingFile, ["nope"]) { try SHA256.hashFile(atPath: folder.file("nope")) }
    }
}
