import AtomicFiles
import Foundation
import XCTest

final class AtomicFileTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
    }

    func testWriteReplacesTheTargetAndLeavesNoTemporaryFile() throws {
        let path = folder + "/state.json"
        try AtomicFile.write(Data("old".utf8), to: path)
        try AtomicFile.write(Data("new".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new")
        XCTAssertEqual(try leftovers(), [])
    }

    func testCommitRenamesAFinishedTemporaryFile() throws {
        let path = folder + "/shard-00000.h5"
        let tmp = AtomicFile.temporaryPath(for: path)
        XCTAssertTrue(tmp.hasPrefix(folder + "/.shard-00000.h5.tmp-"), tmp)
        try Data("shard".utf8).write(to: URL(fileURLWithPath: tmp))
        try AtomicFile.commit(tmp, to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "shard")
        XCTAssertEqual(try leftovers(), [])
    }

    /// A write that cannot finish (here: the target is a folder, so the rename fails) throws
    /// an error naming the file, removes its temporary file and leaves the target as it was.
    func testFailureLeavesTheTargetUntouched() throws {
        let path = folder + "/latest"
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: path)) { error in
            let e = error as? FileError
            XCTAssertEqual(e?.file, path)
            XCTAssertTrue(e?.message.hasPrefix("rename failed") ?? false, "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "/inside"))
        XCTAssertEqual(try leftovers(), [])
        XCTAssertThrowsError(try AtomicFile.commit(folder + "/.missing.tmp-1", to: folder + "/missing"))
    }
}
