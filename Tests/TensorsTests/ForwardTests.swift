import Foundation
import XCTest
@testable import Tensors

/// Forward results against straightforward double-precision references, on shapes large
/// enough to take the vectorised and multi-threaded paths.
final class ForwardTests: XCTestCase {
    func testTranscendentalsMatchLibm() throws {
        let n = 4001
        let xs = (0..<n).map { -20 + 40 * Float($0) / Float(n - 1) }
        let x = try Tensor(shape: [n], scalars: xs)
        func check(_ t: Tensor, _ ref: (Double) -> Double, rel: Double, abs: Double, _ name: String) {
            for (i, v) in t.scalars.enumerated() {
                let r = ref(Double(xs[i]))
                XCTAssertLessThanOrEqual(Swift.abs(Double(v) - r), abs + rel * Swift.abs(r), "\(name)(\(xs[i]))")
            }
        }
        check(x.exp(), { Foundation.exp($0) }, rel: 3e-7, abs: 1e-37, "exp")
        check(x.tanh(), { Foundation.tanh($0) }, rel: 2e-6, abs: 1e-7, "tanh")
        check(x.sigmoid(), { 1 / (1 + Foundation.exp(-$0)) }, rel: 1e-6, abs: 1e-9, "sigmoid")
        check(x.gelu(), { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, rel: 1e-6, abs: 5e-7, "gelu")
        check(x.silu(), { $0 / (1 + Foundation.exp(-$0)) }, rel: 1e-6, abs: 1e-7, "silu")
    }

    /// The decoding path of `linear` (a few rows: bf16 weights read as stored, f32 through
    /// gemv) against a double-precision loop over the same (bf16-rounded) weights; odd sizes
    /// exercise the kernel's 4-row and 16-column tails.
    func testLinearOnFewRowsWithBF16AndF32Weights() throws {
        let outF = 389, inF = 203
        let w = randn([outF, inF], seed: 3).cast(.bfloat16), bias = randn([outF], seed: 4)
        let wv = w.scalars, bv = bias.scalars
        for rows in [1, 3, 4, 5] {
            let x = randn([1, rows, inF], seed: UInt64(10 + rows))
            let xv = x.scalars
            for weight in [w, w.cast(.float32)] {
                let y = try x.linear(weight: weight, bias: bias).scalars
                for r in 0..<rows {
                    for o in [0, 1, 2, 3, 200, outF - 2, outF - 1] {
                        var ref = Double(bv[o])
                        for i in 0..<inF { ref += Double(wv[o * inF + i]) * Double(xv[r * inF + i]) }
                        XCTAssertEqual(Double(y[r * outF + o]), ref, accuracy: 1e-4 * (1 + abs(ref)), "rows \(rows) \(weight.dtype) [\(r), \(o)]")
                    }
                }
            }
        }
    }

    func testLargeBroadcastAndReductionsMatchLoops() throws {
        let a = randn([64, 1, 600], seed: 1), b = randn([300, 1], seed: 2)
        let c = try a * b
        let av = a.scalars, bv = b.scalars, cv = c.scalars
        XCTAssertEqual(c.shape, [64, 300, 600])
        for (i, j, k) in [(0, 0, 0), (63, 299, 599), (17, 5, 300), (40, 123, 77)] {
            XCTAssertEqual(cv[(i * 300 + j) * 600 + k], av[i * 600 + k] * bv[j])
        }
        let x = randn([37, 91, 53], seed: 3)
        let xv = x.scalars
        for axes in [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2]] {
            let s = try x.sum(axes: axes).scalars
            var ref = [Double](repeating: 0, count: s.count), l1 = [Double](repeating: 0, count: s.count)
            for i in 0..<37 { for j in 0..<91 { for k in 0..<53 {
                let idx = [i, j, k].enumerated().filter { !axes.contains($0.offset) }
                var o = 0
                for (d, v) in idx { o = o * [37, 91, 53][d] + v }
                ref[o] += Double(xv[(i * 91 + j) * 53 + k])
                l1[o] += Swift.abs(Double(xv[(i * 91 + j) * 53 + k]))
            } } }
            // f32 summation: error bounded by a few ulp of the sum of magnitudes
            for i in 0..<s.count { XCTAssertEqual(Double(s[i]), ref[i], accuracy: 1e-6 * l1[i], "sum over \(axes)") }
        }
    }

    func testMatmulMatchesLoops() throws {
        let a = randn([3, 70, 45], seed: 4), b = randn([45, 33], seed: 5)
        let c = try a.matmul(b)
        let bt = randn([3, 33, 45], seed: 6)
        let c2 = try a.matmul(bt.transposed())
        let av = a.scalars, bv = b.scalars, btv = bt.scalars, cv = c.scalars, c2v = c2.scalars
        for (n, i, j) in [(0, 0, 0), (2, 69, 32), (1, 30, 7)] {
            var r = 0.0, r2 = 0.0
            for k in 0..<45 {
                r += Double(av[(n * 70 + i) * 45 + k]) * Double(bv[k * 33 + j])
                r2 += Double(av[(n * 70 + i) * 45 + k]) * Double(btv[(n * 33 + j) * 45 + k])
            }
            XCTAssertEqual(Double(cv[(n * 70 + i) * 33 + j]), r, accuracy: 1e-4)
            XCTAssertEqual(Double(c2v[(n * 70 + i) * 33 + j]), r2, accuracy: 1e-4)
        }
    }

    /// Attention as separate ops: matmul, masking, softmax, matmul.
    func naiveAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool, mask: Tensor?) throws -> Tensor {
        let (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let (hkv, s) = (k.shape[1], k.shape[2])
        let g = h / hkv
        let kr = try k.unsqueeze(2).expand([b, hkv, g, s, d]).reshape([b, h, s, d])
        let vr = try v.unsqueeze(2).expand([b, hkv, g, s, v.shape[3]]).reshape([b, h, s, v.shape[3]])
        var bias = [Float](repeating: 0, count: b * t * s)
        for bi in 0..<b { for i in 0..<t { for j in 0..<s {
            var keep = !causal || j <= i + s - t
            if let mask, mask.scalars[bi * s + j] == 0 { keep = false }
            if !keep { bias[(bi * t + i) * s + j] = -1e9 }
        } } }
        let biasT = try Tensor(shape: [b, 1, t, s], scalars: bias)
        let scores = try q.matmul(kr.transposed()) * (1 / Float(d).squareRoot()) + biasT
        return try scores.softmax().matmul(vr)
    }

    func testAttentionMatchesComposedOpsForwardAndBackward() throws {
        // the last three take the few-queries (decoding) path
        for (causal, useMask, t, s) in [(true, false, 130, 130), (false, true, 70, 90), (true, true, 67, 150),
                                        (true, true, 1, 150), (true, false, 3, 40), (false, true, 2, 90)] {
            let q = randn([2, 4, t, 16], seed: 7), k = randn([2, 2, s, 16], seed: 8), v = randn([2, 2, s, 12], seed: 9)
            var mv = [Float](repeating: 1, count: 2 * s)
            if useMask { for j in 0..<7 { mv[j] = 0; mv[s + s - 1 - j] = 0 } }
            let mask = useMask ? try Tensor(shape: [2, s], scalars: mv) : nil
            let w = randn([2, 4, t, 12], seed: 10)
            for x in [q, k, v] { x.requiresGrad = true }
            let fused = try Tensor.attention(q: q, k: k, v: v, causal: causal, keyMask: mask)
            try (fused * w).sum().backward()
            let (gq, gk, gv) = (q.grad!, k.grad!, v.grad!)
            for x in [q, k, v] { x.grad = nil }
            let ref = try naiveAttention(q, k, v, causal: causal, mask: mask)
            try (ref * w).sum().backward()
            XCTAssertLessThan(maxAbsDiff(fused, ref), 1e-5, "out causal=\(causal) mask=\(useMask)")
            XCTAssertLessThan(maxAbsDiff(gq, q.grad!), 1e-4, "dq")
            XCTAssertLessThan(maxAbsDiff(gk, k.grad!), 1e-4, "dk")
            XCTAssertLessThan(maxAbsDiff(gv, v.grad!), 1e-4, "dv")
        }
    }

    func testFullyMaskedQueryRowGivesZerosNotNaN() throws {
        let q = randn([1, 1, 2, 4], seed: 11), k = randn([1, 1, 3, 4], seed: 12), v = randn([1, 1, 3, 4], seed: 13)
        q.requiresGrad = true
        let mask = try Tensor(shape: [1, 3], scalars: [0, 1, 1])
        // causal with S - T = 1: query 0 sees keys 0..1, query... all masked only if key 0 and 1 masked;
        // use a mask that hides everything query 0 can see.
        let m2 = try Tensor(shape: [1, 3], scalars: [0, 0, 1])
        let out = try Tensor.attention(q: q, k: k, v: v, causal: true, keyMask: m2)
        XCTAssertEqual(Array(out.scalars[0..<4]), [0, 0, 0, 0])
        try out.sum().backward()
        XCTAssertFalse(q.grad!.scalars.contains { $0.isNaN })
        _ = mask
    }

    func testCrossEntropyMatchesLogSoftmaxGather() throws {
        let logits = randn([50, 1000], seed: 14, std: 3)
        var tv = (0..<50).map { Int32(($0 * 37) % 1000) }
        tv[3] = -100; tv[20] = -100
        let t = try Tensor(shape: [50], int32s: tv)
        let ce = try logits.crossEntropy(targets: t).item()
        let ls = logits.logSoftmax().scalars
        var ref = 0.0, n = 0
        for (i, ti) in tv.enumerated() where ti != -100 { ref -= Double(ls[i * 1000 + Int(ti)]); n += 1 }
        XCTAssertEqual(Double(ce), ref / Double(n), accuracy: 1e-5)
        let allIgnored = try Tensor(shape: [2], int32s: [-100, -100])
        XCTAssertEqual(try randn([2, 5], seed: 1).crossEntropy(targets: allIgnored).item(), 0)
    }

    func testLayerNormMatchesComposition() throws {
        let x = randn([300, 257], seed: 15, std: 2), w = randn([257], seed: 16), b = randn([257], seed: 17)
        let fused = try x.layerNorm(weight: w, bias: b, eps: 1e-5)
        let mu = try x.mean(axes: [-1], keepDims: true)
        let xc = try x - mu
        let variance = try xc.square().mean(axes: [-1], keepDims: true)
        let ref = try xc * (variance + 1e-5).rsqrt() * w + b
        XCTAssertLessThan(maxAbsDiff(fused, ref), 1e-4)
        let rms = try x.rmsNorm(weight: w, eps: 1e-6)
        let rref = try x * (x.square().mean(axes: [-1], keepDims: true) + 1e-6).rsqrt() * w
        XCTAssertLessThan(maxAbsDiff(rms, rref), 1e-4)
    }

    func testConv2dMatchesLoops() throws {
        let x = randn([2, 3, 9, 7], seed: 18), w = randn([4, 3, 3, 3], seed: 19), b = randn([4], seed: 20)
        let y = try x.conv2d(weight: w, bias: b, stride: (2, 1), padding: (1, 1))
        XCTAssertEqual(y.shape, [2, 4, 5, 7])
        let xv = x.scalars, wv = w.scalars, bv = b.scalars, yv = y.scalars
        for (n, o, i, j) in [(0, 0, 0, 0), (1, 3, 4, 6), (0, 2, 2, 3)] {
            var r = Double(bv[o])
            for c in 0..<3 { for ki in 0..<3 { for kj in 0..<3 {
                let ii = i * 2 - 1 + ki, jj = j - 1 + kj
                if ii >= 0 && ii < 9 && jj >= 0 && jj < 7 {
                    r += Double(xv[((n * 3 + c) * 9 + ii) * 7 + jj]) * Double(wv[((o * 3 + c) * 3 + ki) * 3 + kj])
                }
            } } }
            XCTAssertEqual(Double(yv[((n * 4 + o) * 5 + i) * 7 + j]), r, accuracy: 1e-4)
        }
    }

    func testBFloat16StorageConvertsOnUse() throws {
        let w = randn([8, 5], seed: 21)
        let wb = w.cast(.bfloat16)
        XCTAssertEqual(wb.dtype, .bfloat16)
        let x = randn([3, 5], seed: 22)
        let y = try x.linear(weight: wb)
        let yRef = try x.linear(weight: wb.cast(.float32))
        XCTAssertEqual(y.scalars, yRef.scalars)
        XCTAssertLessThan(maxAbsDiff(wb.cast(.float32), w), 0.02)
        XCTAssertEqual(BFloat16.fromFloat(1.0), 0x3F80)
        XCTAssertEqual(BFloat16.toFloat(0x4049), 3.140625)
    }

    /// A half-precision embedding table is gathered as stored: the rows equal those of the
    /// table converted to f32 first, for bf16 and f16, including a table that is a view.
    func testEmbeddingOfHalfPrecisionTable() throws {
        let w = randn([40, 6], seed: 23)
        let ids = try Tensor(shape: [2, 3], int32s: [3, 0, 39, 3, 17, 8])
        for dtype in [DType.bfloat16, .float16] {
            let half = w.cast(dtype)
            let y = try Tensor.embedding(ids, weight: half)
            XCTAssertEqual(y.shape, [2, 3, 6])
            XCTAssertEqual(y.scalars, try Tensor.embedding(ids, weight: half.cast(.float32)).scalars)
            let view = try half.slice(dim: 0, start: 10, end: 40)
            let ids2 = try Tensor(shape: [3], int32s: [0, 29, 5])
            XCTAssertEqual(try Tensor.embedding(ids2, weight: view).scalars, try Tensor.embedding(ids2, weight: view.cast(.float32)).scalars)
        }
    }
}
