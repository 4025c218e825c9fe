import Foundation
import Layers
import Tensors

/// The vision-to-language projector, built as LLaVA's `build_vision_projector`:
/// `linear`, or `mlp{N}x_gelu` = Linear, then (GELU, Linear) N-1 times. Keys follow the
/// nn.Sequential indices LLaVA uses (`0`, `2`, `4`, ...).
public final class Projector: Module {
    public enum Kind: Equatable, Sendable {
        case linear
        case mlpGelu(depth: Int)

        /// Parses LLaVA's `mm_projector_type` names.
        public init?(name: String) {
            if name == "linear" { self = .linear; return }
            guard name.hasPrefix("mlp"), name.hasSuffix("x_gelu"),
                  let depth = Int(name.dropFirst(3).dropLast(6)), depth >= 1 else { return nil }
            self = .mlpGelu(depth: depth)
        }

        public var name: String {
            switch self {
            case .linear: return "linear"
            case .mlpGelu(let d): return "mlp\(d)x_gelu"
            }
        }
    }

    public let kind: Kind
    public let layers: [Linear]

    public init(kind: Kind, visionHidden: Int, textHidden: Int, bias: Bool = true, seed: UInt64 = 0) {
        var rng = RandomGenerator(seed: seed)
        self.kind = kind
        switch kind {
        case .linear:
            layers = [Linear(visionHidden, textHidden, bias: bias, rng: &rng)]
        case .mlpGelu(let depth):
            layers = [Linear(visionHidden, textHidden, bias: bias, rng: &rng)]
                + (1..<max(depth, 1)).map { _ in Linear(textHidden, textHidden, bias: bias, rng: &rng) }
        }
    }

    public func visit(_ v: inout ParameterVisitor) {
        for (i, l) in layers.enumerated() { v.child("\(2 * i)", l) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var h = try layers[0](x)
        for l in layers.dropFirst() { h = try l(h.gelu()) }
        return h
    }
}
