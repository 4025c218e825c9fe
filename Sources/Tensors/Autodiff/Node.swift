/// Where a gradient goes when it leaves a node: to the node that made an input, to a leaf
/// that collects it, or nowhere (the input needs no gradient).
public enum Edge {
    case none
    case leaf(Tensor)
    case node(Node)

    var needsGrad: Bool {
        if case .none = self { return false }
        return true
    }
}

/// One recorded operation: what its backward rule needs (`op`) and where each input's
/// gradient goes. A node holds only what the rule saved, not its inputs' data, so the
/// activations a backward pass does not need are freed as soon as the forward drops them.
public final class Node {
    /// Saved state; released once the backward rule has run.
    var op: Op?
    let edges: [Edge]
    /// Op name, for error messages after `op` is released.
    let name: String
    /// Shape of the tensor this node produced.
    let outputShape: [Int]

    init(op: Op, edges: [Edge], outputShape: [Int]) {
        self.op = op
        self.edges = edges
        self.name = op.name
        self.outputShape = outputShape
    }
}

extension Tensor {
    /// Attaches a graph node to `self` when recording is on and some input takes part in
    /// autodiff. `makeOp` (which saves tensors for backward) runs only in that case.
    @inline(__always)
    @discardableResult
    func recorded(_ inputs: [Tensor], _ makeOp: () -> Op) -> Tensor {
        guard GradMode.isEnabled else { return self }
        var any = false
        var edges: [Edge] = []
        edges.reserveCapacity(inputs.count)
        for t in inputs {
            if let n = t.gradFn {
                edges.append(.node(n)); any = true
            } else if t.requiresGrad {
                edges.append(.leaf(t)); any = true
            } else {
                edges.append(.none)
            }
        }
        if any { gradFn = Node(op: makeOp(), edges: edges, outputShape: shape) }
        return self
    }
}
