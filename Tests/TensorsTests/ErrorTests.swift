import XCTest
@testable import Tensors

/// Bad input throws an error naming the op and both shapes or the index; nothing traps.
final class ErrorTests: XCTestCase {
    func assertError(_ expr: @autoclosure () throws -> Tensor, contains parts: [String], line: UInt = #line) {
        XCTAssertThrowsError(try expr(), line: line) { err in
            let text = "\(err)"
            for p in parts { XCTAssert(text.contains(p), "'\(text)' lacks '\(p)'", line: line) }
        }
    }

    func testShapeMismatchesNameBothShapes() {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4, 5])
        assertError(try a + b, contains: ["add", "[2, 3]", "[4, 5]"])
        assertError(try a.matmul(b), contains: ["matmul", "[2, 3]", "[4, 5]"])
        assertError(try a.linear(weight: b), contains: ["linear", "[2, 3]", "[4, 5]"])
        assertError(try a.reshape([7]), contains: ["reshape", "[2, 3]", "[7]"])
        assertError(try Tensor.concat([a, b], dim: 0), contains: ["concat", "[2, 3]", "[4, 5]"])
        assertError(try a.layerNorm(weight: Tensor.zeros([4]), bias: nil, eps: 1e-5), contains: ["layerNorm", "[3]", "[4]"])
        assertError(try Tensor.attention(q: Tensor.zeros([1, 3, 2, 4]), k: Tensor.zeros([1, 2, 2, 4]), v: Tensor.zeros([1, 2, 2, 4]), causal: true),
                    contains: ["attention", "[1, 3, 2, 4]"])
        assertError(try a.expand([3, 3]), contains: ["expand", "[2, 3]", "[3, 3]"])
    }

    func testOutOfRangeIndicesAreErrors() throws {
        let w = Tensor.zeros([10, 4])
        assertError(try Tensor.embedding(Tensor(shape: [2], int32s: [3, 10]), weight: w), contains: ["embedding", "10", "0..<10"])
        assertError(try Tensor.embedding(Tensor(shape: [1], int64s: [-1]), weight: w), contains: ["-1"])
        assertError(try w.crossEntropy(targets: Tensor(shape: [10], int32s: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])), contains: ["crossEntropy", "0..<4"])
        assertError(try w.indexSelect(dim: 0, indices: [11]), contains: ["indexSelect", "11"])
        assertError(try w.slice(dim: 1, start: 2, end: 9), contains: ["slice"])
        assertError(try w.sum(axes: [2]), contains: ["sum", "2"])
        assertError(try Tensor.embedding(Tensor.zeros([2]), weight: w), contains: ["integer"])
    }

    func testConstructionErrors() {
        XCTAssertThrowsError(try Tensor(shape: [2, 2], scalars: [1, 2, 3]))
    }
}
