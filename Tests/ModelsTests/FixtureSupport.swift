import Foundation
import XCTest
import Formats
import Tensors

/// Paths of the committed reference fixtures (made by Tests/Fixtures/scripts/*.py).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func model(_ name: String) -> String { root.appendingPathComponent("models/\(name)").path }
}

/// max |a - b| / max |b|: the parity measure (relative to the largest reference magnitude).
func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
    XCTAssertEqual(a.shape, b.shape)
    guard a.shape == b.shape else { return .infinity }
    let av = a.scalars, bv = b.scalars
    let scale = bv.map(abs).max() ?? 1
    var worst: Float = 0
    for i in 0..<av.count { worst = max(worst, abs(av[i] - bv[i])) }
    return worst / max(scale, 1e-30)
}

/// A temporary folder removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir.path
}
