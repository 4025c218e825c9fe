import Foundation

/// A backend that times every kernel call of the backend it wraps, by kernel (and, for
/// products, by shape). Enabled with `VLMTUNE_PROFILE=1`; `Profile.report()` prints the table.
final class ProfilingBackend: Backend {
    let inner: any Backend

    init(_ inner: any Backend) { self.inner = inner }

    @inline(__always) func time<T>(_ key: @autoclosure () -> String, _ body: () -> T) -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = body()
        Profile.add(key(), Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        return r
    }

    func copy(_ src: Tensor, into dst: Tensor) { time("copy\(src.isContiguous ? "" : " (strided)")") { inner.copy(src, into: dst) } }
    func fill(_ t: Tensor, _ value: Float) { time("fill") { inner.fill(t, value) } }
    func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, into out: Tensor) { time("binary \(op)") { inner.binary(op, a, b, into: out) } }
    func unary(_ op: UnaryOp, _ x: Tensor, into out: Tensor) { time("unary \(Profile.name(op))") { inner.unary(op, x, into: out) } }
    func unaryBackward(_ op: UnaryOp, saved: Tensor?, grad: Tensor, into gradIn: Tensor) {
        time("unary backward \(Profile.name(op))") { inner.unaryBackward(op, saved: saved, grad: grad, into: gradIn) }
    }
    func addInPlace(_ a: Tensor, _ b: Tensor) { time("addInPlace") { inner.addInPlace(a, b) } }
    func sum(_ x: Tensor, axes: [Int], into out: Tensor) { time("sum") { inner.sum(x, axes: axes, into: out) } }
    func max(_ x: Tensor, outer: Int, n: Int, inner i: Int, into out: Tensor, indices: Tensor) {
        time("max") { inner.max(x, outer: outer, n: n, inner: i, into: out, indices: indices) }
    }
    func matmul(_ a: Tensor, _ b: Tensor, into c: Tensor, alpha: Float, beta: Float) {
        time("matmul \(c.shape[0])x[\(c.shape[1])x\(a.shape[2])]@[\(a.shape[2])x\(c.shape[2])]") { inner.matmul(a, b, into: c, alpha: alpha, beta: beta) }
    }
    func matvecs(_ x: Tensor, weight: Tensor, into y: Tensor) {
        time("matvec \(x.shape[0])x[\(weight.shape[0])x\(weight.shape[1])] \(weight.dtype)") { inner.matvecs(x, weight: weight, into: y) }
    }
    func softmax(_ x: Tensor, into y: Tensor, log: Bool) { time(log ? "logSoftmax" : "softmax") { inner.softmax(x, into: y, log: log) } }
    func softmaxBackward(output y: Tensor, grad g: Tensor, into dx: Tensor, log: Bool) {
        time("softmax backward") { inner.softmaxBackward(output: y, grad: g, into: dx, log: log) }
    }
    func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int, lse: Tensor) -> (sum: Double, count: Int) {
        time("crossEntropy") { inner.crossEntropy(logits, targets: targets, ignoreIndex: ignoreIndex, lse: lse) }
    }
    func crossEntropyBackward(_ logits: Tensor, targets: [Int], ignoreIndex: Int, lse: Tensor, scale: Float, into dx: Tensor) {
        time("crossEntropy backward") { inner.crossEntropyBackward(logits, targets: targets, ignoreIndex: ignoreIndex, lse: lse, scale: scale, into: dx) }
    }
    func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float, into y: Tensor, mean: Tensor, rstd: Tensor) {
        time("layerNorm") { inner.layerNorm(x, weight: weight, bias: bias, eps: eps, into: y, mean: mean, rstd: rstd) }
    }
    func layerNormBackward(_ x: Tensor, weight: Tensor?, mean: Tensor, rstd: Tensor, grad g: Tensor, dx: Tensor?, dw: Tensor?, db: Tensor?) {
        time("layerNorm backward") { inner.layerNormBackward(x, weight: weight, mean: mean, rstd: rstd, grad: g, dx: dx, dw: dw, db: db) }
    }
    func swiglu(_ gate: Tensor, _ up: Tensor, into out: Tensor) { time("swiglu") { inner.swiglu(gate, up, into: out) } }
    func swigluBackward(gate: Tensor, up: Tensor, grad: Tensor, dGate: Tensor?, dUp: Tensor?) {
        time("swiglu backward") { inner.swigluBackward(gate: gate, up: up, grad: grad, dGate: dGate, dUp: dUp) }
    }
    func rmsNorm(_ x: Tensor, weight: Tensor?, eps: Float, into y: Tensor, rstd: Tensor) {
        time("rmsNorm") { inner.rmsNorm(x, weight: weight, eps: eps, into: y, rstd: rstd) }
    }
    func rmsNormBackward(_ x: Tensor, weight: Tensor?, rstd: Tensor, grad g: Tensor, dx: Tensor?, dw: Tensor?) {
        time("rmsNorm backward") { inner.rmsNormBackward(x, weight: weight, rstd: rstd, grad: g, dx: dx, dw: dw) }
    }
    func rope(_ x: Tensor, cos: Tensor, sin: Tensor, transpose: Bool, into y: Tensor) {
        time(transpose ? "rope backward" : "rope") { inner.rope(x, cos: cos, sin: sin, transpose: transpose, into: y) }
    }
    func attention(q: Tensor, k: Tensor, v: Tensor, keyMask: Tensor?, options: AttentionOptions, out: Tensor, lse: Tensor) {
        time("attention \(q.shape)") { inner.attention(q: q, k: k, v: v, keyMask: keyMask, options: options, out: out, lse: lse) }
    }
    func attentionBackward(q: Tensor, k: Tensor, v: Tensor, keyMask: Tensor?, options: AttentionOptions, out: Tensor, lse: Tensor,
                           grad: Tensor, dq: Tensor?, dk: Tensor?, dv: Tensor?) {
        time("attention backward \(q.shape)") {
            inner.attentionBackward(q: q, k: k, v: v, keyMask: keyMask, options: options, out: out, lse: lse, grad: grad, dq: dq, dk: dk, dv: dv)
        }
    }
    func adamw(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, _ h: AdamWStep) { time("adamw") { inner.adamw(param: param, grad: grad, m: m, v: v, h) } }
    func sumOfSquares(_ t: Tensor) -> Double { time("sumOfSquares") { inner.sumOfSquares(t) } }
    func scale(_ t: Tensor, by s: Float) { time("scale") { inner.scale(t, by: s) } }
    func gatherRows(_ table: Tensor, indices: [Int], into out: Tensor) { time("gatherRows") { inner.gatherRows(table, indices: indices, into: out) } }
    func scatterAddRows(_ rows: Tensor, indices: [Int], into table: Tensor) { time("scatterAddRows") { inner.scatterAddRows(rows, indices: indices, into: table) } }
    func im2col(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), into cols: Tensor) {
        time("im2col") { inner.im2col(x, kernel: kernel, stride: stride, padding: padding, into: cols) }
    }
    func col2im(_ cols: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), into dx: Tensor) {
        time("col2im") { inner.col2im(cols, kernel: kernel, stride: stride, padding: padding, into: dx) }
    }
    func avgPool2d(_ x: Tensor, kernel: Int, stride: Int, into y: Tensor) { time("avgPool2d") { inner.avgPool2d(x, kernel: kernel, stride: stride, into: y) } }
    func avgPool2dBackward(_ g: Tensor, kernel: Int, stride: Int, into dx: Tensor) {
        time("avgPool2d backward") { inner.avgPool2dBackward(g, kernel: kernel, stride: stride, into: dx) }
    }
}

/// Kernel time totals collected by `ProfilingBackend`.
public enum Profile {
    nonisolated(unsafe) static var totals: [String: (seconds: Double, calls: Int)] = [:]
    static let lock = NSLock()

    public static var isEnabled: Bool { ProcessInfo.processInfo.environment["VLMTUNE_PROFILE"] == "1" }

    static func add(_ key: String, _ s: Double) {
        lock.lock()
        let cur = totals[key] ?? (0, 0)
        totals[key] = (cur.seconds + s, cur.calls + 1)
        lock.unlock()
    }

    static func name(_ op: UnaryOp) -> String {
        switch op {
        case .addScalar: return "addScalar"
        case .mulScalar: return "mulScalar"
        case .powScalar: return "powScalar"
        default: return "\(op)"
        }
    }

    public static func reset() {
        lock.lock(); totals = [:]; lock.unlock()
    }

    /// The totals, largest first, as text.
    public static func report(limit: Int = 40) -> String {
        lock.lock(); defer { lock.unlock() }
        let all = totals.values.reduce(0) { $0 + $1.seconds }
        var out = String(format: "kernel time %.3f s\n", all)
        for (k, v) in totals.sorted(by: { $0.value.seconds > $1.value.seconds }).prefix(limit) {
            out += String(format: "%8.4f s %5.1f%% %7d  %@\n", v.seconds, v.seconds / max(all, 1e-12) * 100, v.calls, k)
        }
        return out
    }
}
