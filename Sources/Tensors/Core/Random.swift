import Foundation

/// A seedable, serialisable random generator (xoshiro256**, seeded through SplitMix64).
///
/// Everything random in vlmtune (initialisation, dropout masks, data shuffles, sampling) draws
/// from one of these, so a run is a pure function of its seeds and a checkpoint can store
/// the generator's exact state.
public struct RandomGenerator: RandomNumberGenerator, Codable, Equatable, Sendable {
    public var state: [UInt64]

    public init(seed: UInt64) {
        var s = seed
        state = (0..<4).map { _ in RandomGenerator.splitMix(&s) }
    }

    /// A generator for sub-stream `stream` of `seed`: independent of other streams.
    public init(seed: UInt64, stream: UInt64) {
        var s = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        _ = RandomGenerator.splitMix(&s)
        self.init(seed: RandomGenerator.splitMix(&s))
    }

    static func splitMix(_ s: inout UInt64) -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = RandomGenerator.rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = RandomGenerator.rotl(state[3], 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always) public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always) public mutating func nextDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform integer in 0..<n.
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0)
        return Int(next(upperBound: UInt64(n)))
    }

    public mutating func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float) {
        let scale = high - low
        for i in 0..<count { p[i] = low + scale * nextFloat() }
    }

    /// Box-Muller normal samples, computed in double precision.
    public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, mean: Float, std: Float) {
        var i = 0
        while i < count {
            let u1 = max(nextDouble(), 1e-300)
            let u2 = nextDouble()
            let r = (-2 * Foundation.log(u1)).squareRoot()
            p[i] = mean + std * Float(r * cos(2 * Double.pi * u2))
            if i + 1 < count { p[i + 1] = mean + std * Float(r * sin(2 * Double.pi * u2)) }
            i += 2
        }
    }

    /// Fisher-Yates shuffle of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = nextInt(below: i + 1)
                a.swapAt(i, j)
            }
        }
        return a
    }
}
