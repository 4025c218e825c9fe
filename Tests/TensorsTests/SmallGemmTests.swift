import CSIMD
import XCTest
@testable import Tensors

/// `vlm_sgemm_small` (attention's products) against a plain triple loop in Double: every
/// tile shape (full 8 x 32 tiles, row and column tails, a k longer than one tail panel),
/// A read directly and transposed, alpha and beta.
final class SmallGemmTests: XCTestCase {
    func testMatchesReference() {
        var rng = RandomGenerator(seed: 5)
        for (m, n, k) in [(1, 1, 1), (8, 32, 16), (64, 128, 32), (13, 37, 5), (70, 12, 300), (3, 65, 0), (0, 16, 4), (129, 48, 64)] {
            for transA in [false, true] {
                for (alpha, beta) in [(Float(1), Float(0)), (0.3, 1), (-2, 0.5)] {
                    let ldb = n + 3, ldc = n + 2
                    let a = (0..<(m * k)).map { _ in rng.nextFloat() * 2 - 1 }
                    let b = (0..<(k * ldb)).map { _ in rng.nextFloat() * 2 - 1 }
                    var c = (0..<(m * ldc)).map { _ in rng.nextFloat() * 2 - 1 }
                    // A stored [m, k] row-major, or as its transpose [k, m] (a transposed view).
                    let (ars, acs) = transA ? (1, m) : (k, 1)
                    let stored = transA ? (0..<(k * m)).map { idx in a[(idx % m) * k + idx / m] } : a
                    var expected = c
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0
                            for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * ldb + j]) }
                            expected[i * ldc + j] = Float(Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])))
                        }
                    }
                    vlm_sgemm_small(m, n, k, alpha, stored, ars, acs, b, ldb, beta, &c, ldc)
                    var worst: Float = 0
                    for i in 0..<(m * ldc) { worst = max(worst, abs(c[i] - expected[i])) }
                    XCTAssertLessThan(worst, 1e-4, "m \(m) n \(n) k \(k) transA \(transA) alpha \(alpha) beta \(beta)")
                }
            }
        }
    }

    func testTranspose() {
        let rows = 19, cols = 35, lds = 40, ldd = 22
        let src = (0..<(rows * lds)).map { Float($0) }
        var dst = [Float](repeating: -1, count: cols * ldd)
        vlm_transpose(rows, cols, src, lds, &dst, ldd)
        for i in 0..<rows { for j in 0..<cols { XCTAssertEqual(dst[j * ldd + i], src[i * lds + j]) } }
        XCTAssertEqual(dst[rows], -1, "padding between rows untouched")
    }
}
