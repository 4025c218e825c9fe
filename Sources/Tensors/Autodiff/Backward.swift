/// Reverse-mode differentiation over the recorded graph.
extension Tensor {
    /// Computes gradients of this tensor with respect to every leaf that requires them and
    /// adds them to the leaves' `grad`. Without `gradient` the tensor must hold one element
    /// (a loss). Saved activations are released node by node as the pass goes, so the graph
    /// can be walked once.
    public func backward(_ gradient: Tensor? = nil) throws {
        if gradient == nil && count != 1 {
            throw TensorError.invalidArgument(op: "backward", message: "called on a tensor of shape \(shape) without a gradient; reduce to a scalar first")
        }
        if let g = gradient, g.shape != shape {
            throw TensorError.shapeMismatch(op: "backward", lhs: shape, rhs: g.shape)
        }
        let seed = gradient ?? Tensor.full(shape, 1)
        guard let root = gradFn else {
            if requiresGrad { try accumulateGrad(seed) }
            return
        }
        let order = Tensor.topologicalOrder(root)
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        try GradMode.withoutGrad {
            for node in order.reversed() {
                guard let g = grads.removeValue(forKey: ObjectIdentifier(node)) else { continue }
                guard let op = node.op else {
                    throw TensorError.invalidArgument(op: "backward", message: "the graph through \(node.name) was already used by an earlier backward()")
                }
                let needs = node.edges.map(\.needsGrad)
                let inputGrads = try Derivatives.gradients(op, grad: g, needs: needs)
                node.op = nil
                for (edge, ig) in zip(node.edges, inputGrads) {
                    guard let ig else { continue }
                    switch edge {
                    case .none: break
                    case .leaf(let t): try t.accumulateGrad(ig)
                    case .node(let n):
                        let key = ObjectIdentifier(n)
                        if let existing = grads[key] {
                            grads[key] = try existing + ig
                        } else {
                            grads[key] = ig
                        }
                    }
                }
            }
        }
        gradFn = nil
    }

    /// Adds `g` into this leaf's `grad` (a private copy the first time, in place after).
    func accumulateGrad(_ g: Tensor) throws {
        guard g.shape == shape else { throw TensorError.shapeMismatch(op: "accumulateGrad", lhs: shape, rhs: g.shape) }
        if let existing = grad {
            try existing.addInPlace(g)
        } else {
            grad = g.copy()
        }
    }

    /// Nodes reachable from `root`, each after every node it feeds from (iterative DFS).
    static func topologicalOrder(_ root: Node) -> [Node] {
        var order: [Node] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Node, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (node, start) = stack.popLast() {
            var i = start
            var pushedChild = false
            while i < node.edges.count {
                let edge = node.edges[i]
                i += 1
                if case .node(let child) = edge, !visited.contains(ObjectIdentifier(child)) {
                    visited.insert(ObjectIdentifier(child))
                    stack.append((node, i))
                    stack.append((child, 0))
                    pushedChild = true
                    break
                }
            }
            if !pushedChild { order.append(node) }
        }
        return order
    }
}
