import Foundation
import Tensors

/// cos/sin tables of rotary position embeddings for given positions, computed in f32 the way
/// transformers does (inverse frequencies base^(-2i/d) in f32, f32 products position x
/// frequency, halves duplicated), so that long positions round the same way.
public struct RotaryEmbedding {
    public let headDim: Int
    public let invFreq: [Float]

    public init(headDim: Int, rope: RopeConfig) {
        self.headDim = headDim
        let half = headDim / 2
        var inv = (0..<half).map { i -> Float in
            1 / Foundation.pow(Float(rope.theta), Float(2 * i) / Float(headDim))
        }
        switch rope.kind {
        case .default: break
        case .linear:
            inv = inv.map { $0 / Float(rope.factor) }
        case .llama3:
            let factor = Float(rope.factor), low = Float(rope.lowFreqFactor), high = Float(rope.highFreqFactor)
            let old = Float(rope.originalMaxPositions)
            let lowWavelen = old / low, highWavelen = old / high
            inv = inv.map { f in
                let wavelen = 2 * Float.pi / f
                if wavelen < highWavelen { return f }
                if wavelen > lowWavelen { return f / factor }
                let smooth = (old / wavelen - low) / (high - low)
                return (1 - smooth) * f / factor + smooth * f
            }
        }
        invFreq = inv
    }

    /// cos and sin, each [B, T, headDim], for position ids [B][T].
    public func tables(positions: [[Int]]) throws -> (cos: Tensor, sin: Tensor) {
        let b = positions.count, t = positions.first?.count ?? 0, d = headDim, half = d / 2
        let c = Tensor(empty: [b, t, d]), s = Tensor(empty: [b, t, d])
        let pc = c.floatPointer, ps = s.floatPointer
        for bi in 0..<b {
            guard positions[bi].count == t else {
                throw TensorError.invalidArgument(op: "rotary", message: "position id rows of different lengths")
            }
            for ti in 0..<t {
                let base = (bi * t + ti) * d
                let pos = Float(positions[bi][ti])
                for j in 0..<half {
                    let angle = Double(pos * invFreq[j])
                    let cv = Float(Foundation.cos(angle)), sv = Float(Foundation.sin(angle))
                    pc[base + j] = cv; pc[base + j + half] = cv
                    ps[base + j] = sv; ps[base + j + half] = sv
                }
            }
        }
        return (c, s)
    }
}
