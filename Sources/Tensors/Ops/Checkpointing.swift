/// Saving and restoring hidden state (a dropout generator) so that a recomputed block
/// draws the same random numbers as its first run.
public struct ReplayHooks {
    public let capture: () -> Any
    public let restore: (Any) -> Void

    public init(capture: @escaping () -> Any, restore: @escaping (Any) -> Void) {
        self.capture = capture
        self.restore = restore
    }
}

extension Tensor {
    /// Gradient checkpointing: runs `fn(x)` without keeping its activations and recomputes
    /// them in the backward pass. `fn` must be a pure function of `x` and of parameters (its
    /// randomness replayed through `replay`).
    public static func checkpointed(_ x: Tensor, replay: ReplayHooks? = nil, _ fn: @escaping (Tensor) throws -> Tensor) throws -> Tensor {
        guard GradMode.isEnabled else { return try fn(x) }
        let token = replay?.capture()
        let out = try GradMode.withoutGrad { try fn(x) }
        // The block's parameters collect gradients inside the recomputation, so the node's
        // only edge is x; it is recorded even when x itself needs no gradient.
        let edge: Edge = x.gradFn.map { .node($0) } ?? (x.requiresGrad ? .leaf(x) : .none)
        out.gradFn = Node(op: .recompute(input: x.detached(), fn: fn, replay: replay, token: token), edges: [edge], outputShape: out.shape)
        return out
    }
}
