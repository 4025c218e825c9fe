import XCTest
@testable import Tensors

/// Finite-difference checks of every differentiable op, on random shapes with broadcasting
/// and non-contiguous views.
final class OpGradientTests: XCTestCase {
    let gc = GradientCheck()

    // MARK: Arithmetic

    func testBroadcastingBinaryOps() throws {
        let a = randn([3, 1, 5], seed: 1), b = randn([4, 1], seed: 2)
        try gc.check([a, b]) { try $0[0] + $0[1] }
        try gc.check([a, b]) { try $0[0] - $0[1] }
        try gc.check([a, b]) { try $0[0] * $0[1] }
        let pos = uniform([4, 1], seed: 3, 0.5, 2)
        try gc.check([a, pos]) { try $0[0] / $0[1] }
    }

    func testBinaryOpsOnNonContiguousViews() throws {
        let a = randn([5, 3], seed: 4), b = randn([3, 5], seed: 5)
        try gc.check([a, b]) { try $0[0].transposed() * $0[1] }
        try gc.check([a, b]) { try $0[0].slice(dim: 0, start: 1, end: 4) + $0[1].transposed().slice(dim: 0, start: 0, end: 3) }
    }

    func testSameTensorUsedTwice() throws {
        let a = randn([4, 3], seed: 6)
        try gc.check([a]) { try $0[0] * $0[0] + $0[0] }
    }

    func testScalarOps() throws {
        let a = uniform([2, 7], seed: 7, 0.5, 2)
        try gc.check([a]) { $0[0] * 3 + 1.5 }
        try gc.check([a]) { 2 - $0[0] / 4 }
        try gc.check([a]) { 3 / $0[0] }
        try gc.check([a]) { -$0[0] }
        try gc.check([a]) { $0[0].pow(3) }
        try gc.check([a]) { $0[0].pow(0.5) }
    }

    func testUnaryFunctions() throws {
        let x = randn([3, 37], seed: 8)
        let pos = uniform([3, 37], seed: 9, 0.3, 3)
        try gc.check([x]) { $0[0].exp() }
        try gc.check([pos]) { $0[0].log() }
        try gc.check([pos]) { $0[0].sqrt() }
        try gc.check([pos]) { $0[0].rsqrt() }
        try gc.check([x]) { $0[0].tanh() }
        try gc.check([x]) { $0[0].sigmoid() }
        try gc.check([x]) { $0[0].square() }
        try gc.check([pos]) { $0[0].reciprocal() }
    }

    func testActivations() throws {
        let x = randn([4, 33], seed: 10, std: 2)
        try gc.check([x]) { $0[0].gelu() }
        try gc.check([x]) { $0[0].geluTanh() }
        try gc.check([x]) { $0[0].quickGelu() }
        try gc.check([x]) { $0[0].silu() }
    }

    // MARK: Reductions

    func testSumMeanMax() throws {
        let x = randn([3, 4, 5], seed: 11)
        try gc.check([x]) { try $0[0].sum(axes: [1]) }
        try gc.check([x]) { try $0[0].sum(axes: [0, 2], keepDims: true) }
        try gc.check([x]) { try $0[0].sum(axes: [0]) }
        try gc.check([x]) { try $0[0].mean(axes: [-1]) }
        try gc.check([x]) { try $0[0].mean() }
        try gc.check([x]) { try $0[0].permute([2, 0, 1]).sum(axes: [1]) }
        try gc.check([x]) { try $0[0].max(axis: 1) }
        try gc.check([x]) { try $0[0].max(axis: -1, keepDims: true) }
    }

    // MARK: Products

    func testMatmul() throws {
        let a = randn([5, 4], seed: 12), b = randn([4, 3], seed: 13)
        try gc.check([a, b]) { try $0[0].matmul($0[1]) }
        // transposed views go to BLAS as such
        let at = randn([4, 5], seed: 14), bt = randn([3, 4], seed: 15)
        try gc.check([at, bt]) { try $0[0].transposed().matmul($0[1].transposed()) }
    }

    func testBatchedMatmulWithBroadcast() throws {
        let a = randn([2, 3, 5, 4], seed: 16), b = randn([3, 4, 6], seed: 17)
        try gc.check([a, b]) { try $0[0].matmul($0[1]) }
        let c = randn([2, 1, 4, 6], seed: 18)
        try gc.check([a, c]) { try $0[0].matmul($0[1]) }
        let v = randn([4], seed: 19)
        try gc.check([a, v]) { try $0[0].matmul($0[1]) }
    }

    func testLinear() throws {
        let x = randn([2, 3, 6], seed: 20), w = randn([5, 6], seed: 21), b = randn([5], seed: 22)
        try gc.check([x, w, b]) { try $0[0].linear(weight: $0[1], bias: $0[2]) }
        try gc.check([x, w]) { try $0[0].permute([1, 0, 2]).linear(weight: $0[1]) }
    }

    func testFusedLoRALinear() throws {
        let x = randn([2, 3, 6], seed: 50), w = randn([5, 6], seed: 51), b = randn([5], seed: 52)
        let a = randn([2, 6], seed: 53), bb = randn([5, 2], seed: 54)
        try gc.check([x, w, b, a, bb]) { try $0[0].linear(weight: $0[1], bias: $0[2], loraA: $0[3], loraB: $0[4], scale: 1.5) }
        var rng = RandomGenerator(seed: 55)
        let mask = Tensor(empty: [2, 3, 6])
        for i in 0..<mask.count { mask.floatPointer[i] = rng.nextFloat() < 0.3 ? 0 : 1 / 0.7 }
        try gc.check([x, w, a, bb]) { try $0[0].transposed(0, 1).contiguous().transposed(0, 1).linear(weight: $0[1], bias: nil, loraA: $0[2], loraB: $0[3], scale: 0.5, dropoutMask: mask) }
        // same function as the composition it replaces
        let fused = try x.linear(weight: w, bias: b, loraA: a, loraB: bb, scale: 1.5, dropoutMask: mask)
        let composed = try x.linear(weight: w, bias: b) + (x * mask).linear(weight: a).linear(weight: bb) * 1.5
        XCTAssertLessThan(maxAbsDiff(fused, composed), 1e-5)
    }

    // MARK: Shape ops

    func testViewsAndJoins() throws {
        let x = randn([2, 3, 4], seed: 23), y = randn([2, 2, 4], seed: 24)
        try gc.check([x]) { try $0[0].reshape([6, 4]) }
        try gc.check([x]) { try $0[0].permute([2, 0, 1]).reshape([4, -1]) }
        try gc.check([x]) { try $0[0].slice(dim: 1, start: 1, end: 3) }
        try gc.check([x]) { try $0[0].slice(dim: 2, start: 0, end: 2).expand([5, 2, 3, 2]) }
        try gc.check([x, y]) { try Tensor.concat([$0[0], $0[1]], dim: 1) }
        try gc.check([x, x.copy()]) { try Tensor.stack([$0[0], $0[1]], dim: 1) }
        try gc.check([x]) { try $0[0].padded([(0, 0), (1, 2), (3, 0)], value: 0.5) }
        try gc.check([x]) { try $0[0].transposed(0, 2).contiguous() }
        try gc.check([x]) { try $0[0].split([1, 3], dim: 2)[1] }
    }

    func testIndexSelectAndEmbedding() throws {
        let x = randn([5, 3], seed: 25)
        try gc.check([x]) { try $0[0].indexSelect(dim: 0, indices: [4, 0, 4, 2]) }
        try gc.check([x]) { try $0[0].indexSelect(dim: 1, indices: [2, 2, 0]) }
        let w = randn([7, 4], seed: 26)
        let ids = try Tensor(shape: [2, 3], int32s: [1, 6, 1, 0, 3, 6])
        try gc.check([w]) { try Tensor.embedding(ids, weight: $0[0]) }
    }

    // MARK: Softmax and losses

    func testSoftmaxFamilies() throws {
        let x = randn([3, 11], seed: 27)
        try gc.check([x]) { $0[0].softmax() }
        try gc.check([x]) { $0[0].logSoftmax() }
        try gc.check([x]) { try $0[0].softmax(axis: 0) }
    }

    func testCrossEntropyWithIgnoredTargets() throws {
        let logits = randn([2, 3, 9], seed: 28)
        let t = try Tensor(shape: [2, 3], int64s: [3, -100, 8, 0, 0, -100])
        try gc.check([logits]) { try $0[0].crossEntropy(targets: t) }
    }

    // MARK: Normalisation

    func testLayerNormAndRMSNorm() throws {
        let x = randn([2, 3, 16], seed: 29), w = randn([16], seed: 30), b = randn([16], seed: 31)
        try gc.check([x, w, b]) { try $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5) }
        try gc.check([x]) { try $0[0].layerNorm(weight: nil, bias: nil, eps: 1e-5) }
        try gc.check([x, w]) { try $0[0].rmsNorm(weight: $0[1], eps: 1e-6) }
        try gc.check([x, w]) { try $0[0].transposed(0, 1).rmsNorm(weight: $0[1], eps: 1e-6) }
    }

    // MARK: Rotary embedding and attention

    func testSwiGLU() throws {
        // 37 elements: two whole 16-lane blocks and a tail
        let g = randn([37], seed: 60), u = randn([37], seed: 61)
        try gc.check([g, u]) { try $0[0].swiglu($0[1]) }
        // equals the composed ops it replaces
        let fused = try g.swiglu(u), composed = try g.silu() * u
        XCTAssertLessThan(maxAbsDiff(fused, composed), 1e-6)
        XCTAssertThrowsError(try g.swiglu(randn([36], seed: 62)))
    }

    func testRotaryEmbedding() throws {
        let x = randn([2, 3, 5, 8], seed: 32)
        let (cos, sin) = ropeTables(batch: 2, t: 5, d: 8)
        try gc.check([x]) { try $0[0].rotaryEmbedding(cos: cos, sin: sin) }
    }

    func testAttentionCausalGroupedQuery() throws {
        let q = randn([2, 4, 5, 8], seed: 33), k = randn([2, 2, 5, 8], seed: 34), v = randn([2, 2, 5, 6], seed: 35)
        try gc.check([q, k, v]) { try Tensor.attention(q: $0[0], k: $0[1], v: $0[2], causal: true) }
    }

    func testAttentionWithPaddingMaskAndNonContiguousInputs() throws {
        let q = randn([2, 5, 3, 8], seed: 36), k = randn([2, 7, 3, 8], seed: 37), v = randn([2, 7, 3, 8], seed: 38)
        let mask = try Tensor(shape: [2, 7], scalars: [1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1])
        try gc.check([q, k, v]) {
            try Tensor.attention(q: $0[0].transposed(1, 2), k: $0[1].transposed(1, 2), v: $0[2].transposed(1, 2),
                                 causal: false, keyMask: mask)
        }
        // causal with more keys than queries (a KV cache) and a padding mask together
        try gc.check([q, k, v]) {
            try Tensor.attention(q: $0[0].transposed(1, 2), k: $0[1].transposed(1, 2), v: $0[2].transposed(1, 2),
                                 causal: true, keyMask: mask, scale: 0.3)
        }
    }

    // MARK: Convolution, pooling, dropout

    func testConv2d() throws {
        let x = randn([2, 3, 8, 8], seed: 39), w = randn([4, 3, 4, 4], seed: 40, std: 0.3), b = randn([4], seed: 41)
        try gc.check([x, w, b]) { try $0[0].conv2d(weight: $0[1], bias: $0[2], stride: (4, 4)) }
        let w3 = randn([5, 3, 3, 3], seed: 42, std: 0.3)
        try gc.check([x, w3]) { try $0[0].conv2d(weight: $0[1], stride: (1, 1), padding: (1, 1)) }
        try gc.check([x, w3]) { try $0[0].conv2d(weight: $0[1], stride: (2, 2), padding: (1, 1)) }
    }

    func testAvgPool2d() throws {
        let x = randn([2, 3, 6, 6], seed: 43)
        try gc.check([x]) { try $0[0].avgPool2d(kernel: 2) }
        try gc.check([x]) { try $0[0].avgPool2d(kernel: 3, stride: 1) }
    }

    func testDropoutIsSeededAndDifferentiable() throws {
        let x = randn([4, 50], seed: 44)
        try gc.check([x]) { t in
            var rng = RandomGenerator(seed: 9)
            return try t[0].dropout(0.3, rng: &rng)
        }
        var r1 = RandomGenerator(seed: 5), r2 = RandomGenerator(seed: 5)
        let a = try x.dropout(0.5, rng: &r1), b = try x.dropout(0.5, rng: &r2)
        XCTAssertEqual(a.scalars, b.scalars)
        let zeros = a.scalars.filter { $0 == 0 }.count
        XCTAssert(zeros > 60 && zeros < 140, "dropped \(zeros) of 200 at p = 0.5")
    }
}

/// HF-style rotary tables: cos/sin of position * inv_freq, halves duplicated.
func ropeTables(batch: Int, t: Int, d: Int, theta: Float = 10000) -> (Tensor, Tensor) {
    var c = [Float](), s = [Float]()
    for _ in 0..<batch {
        for pos in 0..<t {
            for j in 0..<d {
                let i = j % (d / 2)
                let f = Float(pos) / Foundation.pow(theta, Float(2 * i) / Float(d))
                c.append(Foundation.cos(f))
                s.append(Foundation.sin(f))
            }
        }
    }
    return (try! Tensor(shape: [batch, t, d], scalars: c), try! Tensor(shape: [batch, t, d], scalars: s))
}
