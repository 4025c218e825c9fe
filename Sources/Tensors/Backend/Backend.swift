/// The seam between the differentiable op layer and the kernels.
///
/// Ops (in `Ops/`) validate shapes, allocate outputs, call a backend and record the graph;
/// they never touch memory themselves. Layers, models and the trainer only use ops. A GPU
/// backend implements this protocol (plus device storage) without changing anything above.
/// Inputs passed to kernels are f32 and contiguous unless a method says otherwise.
public protocol Backend {
    // Memory
    func copy(_ src: Tensor, into dst: Tensor)
    func fill(_ t: Tensor, _ value: Float)
    // Elementwise
    func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, into out: Tensor)
    func unary(_ op: UnaryOp, _ x: Tensor, into out: Tensor)
    func unaryBackward(_ op: UnaryOp, saved: Tensor?, grad: Tensor, into gradIn: Tensor)
    func addInPlace(_ a: Tensor, _ b: Tensor)
    // Reductions
    func sum(_ x: Tensor, axes: [Int], into out: Tensor)
    func max(_ x: Tensor, outer: Int, n: Int, inner: Int, into out: Tensor, indices: Tensor)
    // Products
    func matmul(_ a: Tensor, _ b: Tensor, into c: Tensor, alpha: Float, beta: Float)
    func matvecs(_ x: Tensor, weight: Tensor, into y: Tensor)
    // Neural-network kernels
    func softmax(_ x: Tensor, into y: Tensor, log: Bool)
    func softmaxBackward(output y: Tensor, grad g: Tensor, into dx: Tensor, log: Bool)
    func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int, lse: Tensor) -> (sum: Double, count: Int)
    func crossEntropyBackward(_ logits: Tensor, targets: [Int], ignoreIndex: Int, lse: Tensor, scale: Float, into dx: Tensor)
    func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float, into y: Tensor, mean: Tensor, rstd: Tensor)
    func layerNormBackward(_ x: Tensor, weight: Tensor?, mean: Tensor, rstd: Tensor, grad g: Tensor,
                           dx: Tensor?, dw: Tensor?, db: Tensor?)
    func rmsNorm(_ x: Tensor, weight: Tensor?, eps: Float, into y: Tensor, rstd: Tensor)
    func rmsNormBackward(_ x: Tensor, weight: Tensor?, rstd: Tensor, grad g: Tensor, dx: Tensor?, dw: Tensor?)
    func swiglu(_ gate: Tensor, _ up: Tensor, into out: Tensor)
    func swigluBackward(gate: Tensor, up: Tensor, grad: Tensor, dGate: Tensor?, dUp: Tensor?)
    func rope(_ x: Tensor, cos: Tensor, sin: Tensor, transpose: Bool, into y: Tensor)
    func attention(q: Tensor, k: Tensor, v: Tensor, keyMask: Tensor?, options: AttentionOptions, out: Tensor, lse: Tensor)
    func attentionBackward(q: Tensor, k: Tensor, v: Tensor, keyMask: Tensor?, options: AttentionOptions,
                           out: Tensor, lse: Tensor, grad: Tensor, dq: Tensor?, dk: Tensor?, dv: Tensor?)
    // Optimiser
    func adamw(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, _ h: AdamWStep)
    func sumOfSquares(_ t: Tensor) -> Double
    func scale(_ t: Tensor, by s: Float)
    // Indexing and convolution
    func gatherRows(_ table: Tensor, indices: [Int], into out: Tensor)
    func scatterAddRows(_ rows: Tensor, indices: [Int], into table: Tensor)
    func im2col(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), into cols: Tensor)
    func col2im(_ cols: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), into dx: Tensor)
    func avgPool2d(_ x: Tensor, kernel: Int, stride: Int, into y: Tensor)
    func avgPool2dBackward(_ g: Tensor, kernel: Int, stride: Int, into dx: Tensor)
}

/// The backend every op uses.
nonisolated(unsafe) var backend: any Backend = Profile.isEnabled ? ProfilingBackend(CPUBackend()) : CPUBackend()
