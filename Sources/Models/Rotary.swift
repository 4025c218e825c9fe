import Foundation
import Tensors

/// cos/sin tables of rotary position embeddings for given positions, computed in f32 the way
/// transformers does (inverse frequencies base^(-2i/d) in f32, f32 products position x
/// frequency, halves duplicated), so that long positions round the same way.
public final class RotaryEmbedding {
    public let headDim: Int
    public let invFreq: [Float]
    /// cos / sin rows (headDim values each) for positions 0..<cachedPositions, computed once:
    /// every batch row and every step reuses them.
    private var cosTable: [Float] = [], sinTable: [Float] = []
    private var cachedPositions = 0

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

    /// Extends the cached rows to cover positions 0..<n.
    private func extend(to n: Int) {
        guard n > cachedPositions else { return }
        let d = headDim, half = d / 2
        let target = Swift.max(n, 2 * cachedPositions)
        cosTable += [Float](repeating: 0, count: (target - cachedPositions) * d)
        sinTable += [Float](repeating: 0, count: (target - cachedPositions) * d)
        for p in cachedPositions..<target {
            for j in 0..<half {
                let angle = Double(Float(p) * invFreq[j])
                let cv = Float(Foundation.cos(angle)), sv = Float(Foundation.sin(angle))
                cosTable[p * d + j] = cv; cosTable[p * d + j + half] = cv
                sinTable[p * d + j] = sv; sinTable[p * d + j + half] = sv
            }
        }
        cachedPositions = target
    }

    /// cos and sin, each [B, T, headDim], for position ids [B][T] ([1, T, headDim] when all
    /// rows have the same positions).
    public func tables(positions: [[Int]]) throws -> (cos: Tensor, sin: Tensor) {
        let t = positions.first?.count ?? 0, d = headDim
        guard positions.allSatisfy({ $0.count == t }) else {
            throw TensorError.invalidArgument(op: "rotary", message: "position id rows of different lengths")
        }
        guard !positions.joined().contains(where: { $0 < 0 }) else {
            throw TensorError.invalidArgument(op: "rotary", message: "negative position id")
        }
        extend(to: (positions.joined().max() ?? 0) + 1)
        let rows = positions.allSatisfy({ $0 == positions[0] }) ? [positions.first ?? []] : positions
        let b = rows.count
        let c = Tensor(empty: [b, t, d]), s = Tensor(empty: [b, t, d])
        let pc = c.floatPointer, ps = s.floatPointer
        cosTable.withUnsafeBufferPointer { ct in
            sinTable.withUnsafeBufferPointer { st in
                for bi in 0..<b {
                    for ti in 0..<t {
                        let p = rows[bi][ti]
                        (pc + (bi * t + ti) * d).update(from: ct.baseAddress! + p * d, count: d)
                        (ps + (bi * t + ti) * d).update(from: st.baseAddress! + p * d, count: d)
                    }
                }
            }
        }
        return (c, s)
    }
}
