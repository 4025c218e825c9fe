import Foundation
import XCTest

func temporaryFolder(_ test: XCTestCase) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-workflows-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir.path
}

/// (step, loss) of each line of a run folder's metrics.jsonl, in file order.
func loggedStepLosses(_ run: String) throws -> [(Int, Double)] {
    try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").compactMap { line in
        guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let step = obj["step"] as? Int, let loss = obj["loss"] as? Double else { return nil }
        return (step, loss)
    }
}
