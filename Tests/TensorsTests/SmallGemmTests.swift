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
                    vlm_sgemm_small(m, n, k, alpha, stored, ars, acs, b, ldb, beta, &c, ldc, Int32(VLM_FULL), 0)
                    var worst: Float = 0
                    for i in 0..<(m * ldc) { worst = max(worst, abs(c[i] - expected[i])) }
                    XCTAssertLessThan(worst, 1e-4, "m \(m) n \(n) k \(k) transA \(transA) alpha \(alpha) beta \(beta)")
                }
            }
        }
    }

    /// The causal modes of attention's blocks: A zero above (below) a diagonal, the terms
    /// skipped; or only the output on and below a diagonal wanted. Diagonals at, before and
    /// after the block's start, sizes with and without partial tiles.
    func testCausalModesMatchTheFullProduct() {
        var rng = RandomGenerator(seed: 6)
        for (m, n, k) in [(64, 64, 64), (64, 128, 32), (37, 70, 45), (8, 32, 8), (130, 96, 130)] {
            for diag in [-5, 0, 3, 40] {
                for mode in [VLM_A_LOWER, VLM_A_UPPER, VLM_OUT_LOWER] {
                    let ldc = n
                    var a = (0..<(m * k)).map { _ in rng.nextFloat() * 2 - 1 }
                    for i in 0..<m {
                        for p in 0..<k where (mode == VLM_A_LOWER && p > i + diag) || (mode == VLM_A_UPPER && p < i - diag) { a[i * k + p] = 0 }
                    }
                    let b = (0..<(k * n)).map { _ in rng.nextFloat() * 2 - 1 }
                    let c0 = (0..<(m * ldc)).map { _ in rng.nextFloat() * 2 - 1 }
                    var full = c0, part = c0
                    vlm_sgemm_small(m, n, k, 0.7, a, k, 1, b, n, 1, &full, ldc, Int32(VLM_FULL), 0)
                    vlm_sgemm_small(m, n, k, 0.7, a, k, 1, b, n, 1, &part, ldc, Int32(mode), diag)
                    var worst: Float = 0
                    for i in 0..<m {
                        for j in 0..<n where mode != VLM_OUT_LOWER || j <= i + diag {
                            worst = max(worst, abs(full[i * ldc + j] - part[i * ldc + j]))
                        }
                    }
                    XCTAssertLessThan(worst, 1e-4, "m \(m) n \(n) k \(k) diag \(diag) mode \(mode)")
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

/// Products with a thin side go through `thinMatmul` (the small kernel on our threads): the
/// same results as a Double reference for every operand layout and both ways of splitting
/// the work (by rows, by columns when rows are few).
final class ThinMatmulTests: XCTestCase {
    func reference(_ a: Tensor, _ b: Tensor) -> [Float] {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        let x = a.scalars, y = b.scalars
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k { s += Double(x[i * k + p]) * Double(y[p * n + j]) }
            out[i * n + j] = Float(s)
        } }
        return out
    }

    func testThinShapesAllLayouts() throws {
        var rng = RandomGenerator(seed: 9)
        // (m, n, k): rows split, columns split (few rows), thin k, a tail of columns
        for (m, n, k) in [(300, 48, 200), (16, 200, 300), (400, 130, 16), (64, 21, 512)] {
            for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                let a0 = Tensor.randn([m, k], rng: &rng), b0 = Tensor.randn([k, n], rng: &rng)
                // the same matrices, stored transposed and viewed back
                let a = transA ? try a0.transposed().contiguous().transposed() : a0  // strides [1, m]
                let b = transB ? try b0.transposed().contiguous().transposed() : b0
                let out = try a.matmul(b)
                let expected = reference(a0, b0)
                var worst: Float = 0
                for (x, y) in zip(out.scalars, expected) { worst = max(worst, abs(x - y)) }
                XCTAssertLessThan(worst, 2e-3, "m \(m) n \(n) k \(k) transA \(transA) transB \(transB)")
            }
        }
    }
}
