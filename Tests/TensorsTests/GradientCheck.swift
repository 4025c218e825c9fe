import XCTest
@testable import Tensors

/// Finite-difference gradient checking.
///
/// The engine computes in f32, so the check is built to keep f32 rounding well below the
/// tolerance: the scalar objective is sum(f(x) * R) for a fixed random R, accumulated in
/// Double; central differences with step `eps` = 1e-2 have truncation error O(eps^2) ~ 1e-4
/// relative for the smooth functions tested, and f32 rounding of the objective contributes
/// about 1e-7 * |L| / eps ~ 1e-5 |L|. A tolerance of 1e-2 relative plus 2e-3 absolute
/// (on gradients of order 1) therefore separates a correct rule from a wrong one (a wrong
/// rule is off by O(1)) without flaking.
struct GradientCheck {
    var eps: Float = 1e-2
    var rtol: Double = 1e-2
    var atol: Double = 2e-3
    /// At most this many elements per input are perturbed (chosen at random, seeded).
    var maxElements = 48

    func check(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
               _ f: ([Tensor]) throws -> Tensor) throws {
        for x in inputs { x.requiresGrad = true; x.grad = nil }
        let out0 = try f(inputs)
        var rng = RandomGenerator(seed: 1234)
        let weights = Tensor.uniform(out0.shape, low: -1, high: 1, rng: &rng)
        let loss = try (out0 * weights).sum()
        try loss.backward()
        let w = weights.scalars.map(Double.init)

        func objective() throws -> Double {
            let out = try noGrad { try f(inputs) }
            let v = out.scalars
            var s = 0.0
            for i in 0..<v.count { s += Double(v[i]) * w[i] }
            return s
        }

        for (k, x) in inputs.enumerated() {
            guard let grad = x.grad else {
                XCTFail("input \(k) received no gradient", file: file, line: line)
                continue
            }
            XCTAssertEqual(grad.shape, x.shape, "input \(k) gradient shape", file: file, line: line)
            let analytic = grad.scalars
            let p = x.floatPointer
            var picks = Array(0..<x.count)
            if picks.count > maxElements {
                picks = Array(rng.permutation(x.count).prefix(maxElements))
            }
            for i in picks {
                let saved = p[i]
                p[i] = saved + eps
                let up = try objective()
                p[i] = saved - eps
                let down = try objective()
                p[i] = saved
                let numeric = (up - down) / (2 * Double(eps))
                let a = Double(analytic[i])
                let tol = atol + rtol * Swift.max(Swift.abs(a), Swift.abs(numeric))
                if Swift.abs(a - numeric) > tol {
                    XCTFail("input \(k) element \(i): analytic \(a) vs numeric \(numeric)", file: file, line: line)
                    return
                }
            }
        }
    }
}

func randn(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.randn(shape, std: std, rng: &rng)
}

func uniform(_ shape: [Int], seed: UInt64, _ low: Float, _ high: Float) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, rng: &rng)
}

/// Largest absolute difference between two equally shaped tensors.
func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "\(a.shape) vs \(b.shape)")
    return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}
