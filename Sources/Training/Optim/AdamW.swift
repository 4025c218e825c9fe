import Foundation
import Tensors

/// AdamW over named parameters in groups with their own learning rate and weight decay
/// (PyTorch semantics: decoupled decay, bias-corrected moments). State is keyed by
/// parameter name so it can be saved and restored exactly.
public final class AdamW {
    public struct Group {
        public var name: String
        public var parameters: [(String, Tensor)]
        public var lr: Double
        public var weightDecay: Double

        public init(name: String, parameters: [(String, Tensor)], lr: Double, weightDecay: Double) {
            self.name = name
            self.parameters = parameters
            self.lr = lr
            self.weightDecay = weightDecay
        }
    }

    public var groups: [Group]
    public let beta1, beta2, eps: Double
    /// Updates made so far (the bias-correction step count).
    public private(set) var steps = 0
    var m: [String: Tensor] = [:]
    var v: [String: Tensor] = [:]

    public init(groups: [Group], beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8) {
        self.groups = groups
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    /// Splits trainable parameters into decayed (matrices) and undecayed (biases, norm
    /// weights: rank < 2) groups, the `projector` ones (by `isProjector`) with their own lr.
    public static func groups(_ params: [(String, Tensor)], lr: Double, projectorLR: Double?, weightDecay: Double,
                              isProjector: (String) -> Bool) -> [Group] {
        var out: [Group] = []
        for projector in [false, true] {
            let mine = params.filter { isProjector($0.0) == projector }
            let groupLR = projector ? (projectorLR ?? lr) : lr
            let decayed = mine.filter { $0.1.rank >= 2 }, plain = mine.filter { $0.1.rank < 2 }
            let base = projector ? "projector" : "main"
            if !decayed.isEmpty { out.append(Group(name: base + ".decay", parameters: decayed, lr: groupLR, weightDecay: weightDecay)) }
            if !plain.isEmpty { out.append(Group(name: base + ".no_decay", parameters: plain, lr: groupLR, weightDecay: 0)) }
        }
        return out
    }

    public var parameters: [(String, Tensor)] { groups.flatMap(\.parameters) }

    /// Applies one update with every group's lr multiplied by `lrScale`; parameters without a
    /// gradient are left alone.
    public func step(lrScale: Double) throws {
        steps += 1
        for g in groups {
            let h = AdamWStep(lr: Float(g.lr * lrScale), beta1: Float(beta1), beta2: Float(beta2), eps: Float(eps),
                              weightDecay: Float(g.weightDecay), step: steps)
            for (name, p) in g.parameters {
                guard let grad = p.grad else { continue }
                let mt = m[name] ?? Tensor.zeros(p.shape), vt = v[name] ?? Tensor.zeros(p.shape)
                m[name] = mt
                v[name] = vt
                try p.adamwUpdate(grad: grad, m: mt, v: vt, h)
            }
        }
    }

    public func zeroGrad() {
        for (_, p) in parameters { p.grad = nil }
    }

    /// The global L2 norm of all gradients (NaN/Inf when any gradient is not finite).
    public func gradientNorm() -> Double {
        parameters.reduce(0.0) { $0 + ($1.1.grad?.sumOfSquares() ?? 0) }.squareRoot()
    }

    /// Scales every gradient so that the global norm is at most `maxNorm` (as
    /// torch.nn.utils.clip_grad_norm_: factor maxNorm / (norm + 1e-6), applied when < 1).
    public func clipGradients(maxNorm: Double, norm: Double) {
        let factor = maxNorm / (norm + 1e-6)
        guard factor < 1 else { return }
        for (_, p) in parameters { p.grad?.scaleInPlace(Float(factor)) }
    }

    // MARK: - State

    /// Moment buffers keyed `<param>.exp_avg` / `<param>.exp_avg_sq` (PyTorch's names).
    public func stateTensors() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (k, t) in m { out[k + ".exp_avg"] = t }
        for (k, t) in v { out[k + ".exp_avg_sq"] = t }
        return out
    }

    public func restore(state: [String: Tensor], steps: Int) throws {
        self.steps = steps
        m = [:]
        v = [:]
        let shapes = Dictionary(parameters.map { ($0.0, $0.1.shape) }, uniquingKeysWith: { a, _ in a })
        for (k, t) in state {
            let (name, isM) = k.hasSuffix(".exp_avg") ? (String(k.dropLast(8)), true)
                : k.hasSuffix(".exp_avg_sq") ? (String(k.dropLast(11)), false) : ("", false)
            guard let shape = shapes[name] else { throw TrainingError("optimizer state \(k) belongs to no trainable parameter") }
            guard t.shape == shape else { throw TrainingError("optimizer state \(k) has shape \(t.shape), parameter has \(shape)") }
            if isM { m[name] = t.cast(.float32) } else { v[name] = t.cast(.float32) }
        }
    }
}

/// A training problem, as one line.
public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ what: String, at location: String? = nil) {
        description = location.map { "\(what): \($0)" } ?? what
    }
}
