import Foundation
import Tensors

/// `vlmtune bench ops`: the engine's kernels at the `small` benchmark shapes, each against
/// the fastest thing it could be (raw BLAS for products, memcpy for memory-bound kernels).
struct OpsBench {
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    var reps = 7

    struct Row: Codable {
        var name: String
        var shape: String
        var seconds: Double
        var gflops: Double?
        var gbps: Double?
        var reference: Double?
        var ratio: Double?
    }

    func run(log: (String) -> Void) throws -> [Row] {
        var rows: [Row] = []
        BLAS.ensureLoaded()
        let peak = MachinePeak.fmaGFLOPs()
        rows.append(Row(name: "fma ceiling", shape: "\(Parallel.threads) threads", seconds: 0, gflops: peak))
        log(String(format: "f32 FMA ceiling, %d threads (independent vector FMA chains): %.1f GFLOP/s", Parallel.threads, peak))
        log("GEMM, engine `linear` (x W^T, output allocated from the pool) vs a plain call of the same BLAS, and its share of that ceiling:")
        // (tokens, out, in): small config projections for B=4 x T=512 tokens, the vision tower
        // at 4 images x 197 tokens, and the three products of a backward pass.
        let shapes: [(String, Int, Int, Int)] = [
            ("llm q/o_proj", 2048, 576, 576), ("llm k/v_proj", 2048, 192, 576),
            ("llm gate/up_proj", 2048, 1536, 576), ("llm down_proj", 2048, 576, 1536),
            ("lm_head", 2048, 49152, 576), ("vit qkv", 788, 2304, 768),
            ("vit fc1", 788, 3072, 768), ("vit fc2", 788, 768, 3072),
        ]
        var rng = RandomGenerator(seed: 1)
        for (name, m, n, k) in shapes {
            let x = Tensor.randn([m, k], rng: &rng), w = Tensor.randn([n, k], rng: &rng)
            let c = Tensor(empty: [m, n])
            let flops = 2.0 * Double(m) * Double(n) * Double(k)
            let reps = flops > 2e10 ? 3 : self.reps
            let raw = Timing.median(reps: reps) {
                BLAS.sgemm(transA: false, transB: true, m: m, n: n, k: k, a: x.floatPointer, lda: k,
                           b: w.floatPointer, ldb: k, c: c.floatPointer, ldc: n)
            }
            let eng = try Timing.median(reps: reps) { _ = try x.linear(weight: w) }
            rows.append(Row(name: "gemm \(name)", shape: "\(m)x\(n)x\(k)", seconds: eng, gflops: flops / eng / 1e9,
                            reference: flops / raw / 1e9, ratio: raw / eng))
            log("  " + pad(name, 18) + pad("\(m)x\(n)x\(k)", 16) + String(format: "engine %6.1f GFLOP/s  raw BLAS %6.1f GFLOP/s  engine/raw %.3f  %3.0f%% of ceiling",
                       flops / eng / 1e9, flops / raw / 1e9, raw / eng, 100 * flops / eng / 1e9 / peak))
        }

        log("Memory-bound kernels, GB/s of bytes read + written, vs memcpy of the same output size:")
        let t = 2048, d = 1536
        let a = Tensor.randn([t, d], rng: &rng), b = Tensor.randn([t, d], rng: &rng)
        let dst = Tensor(empty: [t, d])
        let bytes = Double(t * d * 4)
        let memcpyS = Timing.median(reps: reps) { memcpy(dst.floatPointer, a.floatPointer, t * d * 4) }
        let memcpyGBs = 2 * bytes / memcpyS / 1e9
        log("  " + pad("memcpy [2048,1536]", 26) + String(format: "%6.1f GB/s", memcpyGBs))
        func measure(_ name: String, _ shape: [Int], bytesMoved: Double, _ body: () throws -> Void) throws {
            let s = try Timing.median(reps: reps, body)
            let gbs = bytesMoved / s / 1e9
            rows.append(Row(name: name, shape: "\(shape)", seconds: s, gbps: gbs, reference: memcpyGBs, ratio: gbs / memcpyGBs))
            log("  " + pad(name, 26) + String(format: "%6.1f GB/s  (%.2f of memcpy, %.3f ms)", gbs, gbs / memcpyGBs, s * 1e3))
        }
        try measure("add", [t, d], bytesMoved: 3 * bytes) { _ = try a + b }
        try measure("mul (row broadcast)", [t, d], bytesMoved: 2 * bytes) { _ = try a * b.slice(dim: 0, start: 0, end: 1) }
        try measure("silu", [t, d], bytesMoved: 2 * bytes) { _ = a.silu() }
        try measure("gelu (erf)", [t, d], bytesMoved: 2 * bytes) { _ = a.gelu() }
        try measure("exp", [t, d], bytesMoved: 2 * bytes) { _ = a.exp() }
        try measure("softmax rows", [t, d], bytesMoved: 2 * bytes) { _ = a.softmax() }
        let h = Tensor.randn([t, 576], rng: &rng), nw = Tensor.randn([576], rng: &rng)
        let hb = Double(t * 576 * 4)
        try measure("rmsNorm [2048,576]", [t, 576], bytesMoved: 2 * hb) { _ = try h.rmsNorm(weight: nw, eps: 1e-5) }
        try measure("layerNorm [2048,576]", [t, 576], bytesMoved: 2 * hb) { _ = try h.layerNorm(weight: nw, bias: nw, eps: 1e-5) }
        try measure("transpose copy", [t, d], bytesMoved: 2 * bytes) { _ = try a.transposed().contiguous() }

        log("Attention, B=4 heads=9 (3 kv heads) T=512 d=64, causal:")
        let q = Tensor.randn([4, 9, 512, 64], rng: &rng), k = Tensor.randn([4, 3, 512, 64], rng: &rng)
        let v = Tensor.randn([4, 3, 512, 64], rng: &rng), g = Tensor.randn([4, 9, 512, 64], rng: &rng)
        // Causal attention FLOPs: QK^T and PV over the lower triangle, 4 b h T^2/2 d.
        let attnFlops = 4.0 * 4 * 9 * 512 * 512 / 2 * 64
        let fwd = try Timing.median(reps: reps) {
            _ = try noGrad { try Tensor.attention(q: q, k: k, v: v, causal: true) }
        }
        rows.append(Row(name: "attention forward", shape: "[4,9,512,64]", seconds: fwd, gflops: attnFlops / fwd / 1e9))
        for x in [q, k, v] { x.requiresGrad = true }
        let fb = try Timing.median(reps: reps) {
            let o = try Tensor.attention(q: q, k: k, v: v, causal: true)
            try o.backward(g)
        }
        rows.append(Row(name: "attention forward+backward", shape: "[4,9,512,64]", seconds: fb, gflops: 3.5 * attnFlops / fb / 1e9))
        log(String(format: "  forward %.2f ms (%.0f GFLOP/s), forward+backward %.2f ms (%.0f GFLOP/s)",
                   fwd * 1e3, attnFlops / fwd / 1e9, fb * 1e3, 3.5 * attnFlops / fb / 1e9))
        return rows
    }
}
