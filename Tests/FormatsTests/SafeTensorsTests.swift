import Foundation
import XCTest
@testable import Formats
import Tensors

final class SafeTensorsTests: XCTestCase {
    func tmp() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.path
    }

    func sample() throws -> [String: Tensor] {
        [
            "b.weight": try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]),
            "a.bias": try Tensor(shape: [3], scalars: [-1, 0.5, 7]).cast(.bfloat16),
            "ids": try Tensor(shape: [2], int64s: [5, -100]),
            "scalar": Tensor.scalar(3.25),
        ]
    }

    func testRoundTripKeepsValuesAndDtypes() throws {
        let path = try tmp() + "/t.safetensors"
        try SafeTensors.write(try sample(), to: path)
        let f = try SafeTensors.File(path: path)
        XCTAssertEqual(f.names, ["a.bias", "b.weight", "ids", "scalar"])
        XCTAssertEqual(f.metadata, ["format": "pt"])
        XCTAssertEqual(try f.tensor("b.weight").scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try f.tensor("a.bias").dtype, .bfloat16)
        XCTAssertEqual(try f.tensor("a.bias").scalars, [-1, 0.5, 7])
        XCTAssertEqual(try f.tensor("ids").integers, [5, -100])
        XCTAssertEqual(try f.tensor("scalar").shape, [])
        // Header length is a multiple of 8 and keys are sorted.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        XCTAssertEqual(n % 8, 0)
        let header = String(decoding: data[8..<(8 + n)], as: UTF8.self)
        XCTAssert(header.hasPrefix("{\"__metadata__\":{\"format\":\"pt\"},\"a.bias\""), header)
    }

    func testNonContiguousTensorsAreWrittenInLogicalOrder() throws {
        let path = try tmp() + "/t.safetensors"
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).transposed()
        try SafeTensors.write(["t": t], to: path)
        XCTAssertEqual(try SafeTensors.read(path)["t"]!.scalars, [1, 4, 2, 5, 3, 6])
    }

    func assertRejected(_ bytes: Data, _ message: String, line: UInt = #line) throws {
        let path = try tmp() + "/bad.safetensors"
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafeTensors.File(path: path), line: line) { err in
            let text = "\(err)"
            XCTAssert(text.contains(message), "'\(text)' lacks '\(message)'", line: line)
            XCTAssert(text.hasSuffix(path), "error should end with the file: \(text)", line: line)
        }
    }

    func file(header: String, data: Int) -> Data {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        var out = Data()
        var n = UInt64(h.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        out.append(Data(count: data))
        return out
    }

    func testValidationLikeTheReferenceImplementation() throws {
        let good = try SafeTensors.encode(try sample())
        try assertRejected(good.prefix(good.count - 3), "truncated")
        try assertRejected(good.prefix(5), "shorter than its 8-byte header")
        try assertRejected(file(header: "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: 12), "file holds 12 data bytes")
        try assertRejected(file(header: "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", data: 8), "tensor x: 8 bytes for shape [3]")
        try assertRejected(file(header: "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: 8), "tensor x: data starts at byte 4")
        try assertRejected(file(header: "{\"x\":{\"dtype\":\"Q9\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: 4), "unsupported dtype Q9")
        try assertRejected(file(header: "{\"x\":[1,2]}", data: 0), "tensor x: header entry is not an object")
        try assertRejected(file(header: "not json", data: 0), "not valid JSON")
        var huge = Data()
        var n = UInt64(200_000_000).littleEndian
        withUnsafeBytes(of: &n) { huge.append(contentsOf: $0) }
        try assertRejected(huge, "exceeds")
    }

    func testFailedWriteLeavesNoFileBehind() throws {
        let dir = try tmp()
        let target = dir + "/missing-folder/t.safetensors"
        XCTAssertThrowsError(try SafeTensors.write(try sample(), to: target))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }
}
