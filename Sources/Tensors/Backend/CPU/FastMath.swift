/// Vectorised transcendental functions for the elementwise kernels (16 lanes; AVX-512 or
/// two AVX2 registers). libm's scalar expf would make softmax and GELU the slowest part of a
/// step. Accuracy: exp within 2 ulp, tanh/sigmoid within a few ulp, erf within 1.5e-7
/// absolute (Abramowitz & Stegun 7.1.26), all far below what parity with PyTorch needs.
import CSIMD

public typealias F16 = SIMD16<Float>

public enum FastMath {
    @inline(__always) public static func exp(_ xIn: F16) -> F16 {
        // exp(x) = 2^n * exp(r), n = round(x / ln 2), |r| <= ln2/2 (Cephes expf polynomial).
        let x = vlm_min16(vlm_max16(xIn, F16(repeating: -87.33654)), F16(repeating: 88.72283))
        let fx = (x * 1.442_695_04).rounded(.toNearestOrEven)
        var r = x - fx * 0.693_359_375
        r = r - fx * -2.121_944_4e-4
        var y = F16(repeating: 1.987_569_15e-4)
        y = y * r + 1.398_199_95e-3
        y = y * r + 8.333_451_9e-3
        y = y * r + 4.166_579_59e-2
        y = y * r + 1.666_666_55e-1
        y = y * r + 5.000_000_12e-1
        y = y * (r * r) + r + 1
        // 2^n from the exponent bits: n + 127 shifted into place.
        let magic = fx + 12_582_912.0  // 1.5 * 2^23: the integer lands in the low mantissa bits
        let n = unsafeBitCast(magic, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let pow2 = unsafeBitCast((n &+ 127) &<< 23, to: F16.self)
        return y * pow2
    }

    @inline(__always) public static func abs(_ x: F16) -> F16 {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: F16.self)
    }

    @inline(__always) public static func sqrt(_ x: F16) -> F16 { vlm_sqrt16(x) }
    @inline(__always) public static func max(_ a: F16, _ b: F16) -> F16 { vlm_max16(a, b) }
    @inline(__always) public static func min(_ a: F16, _ b: F16) -> F16 { vlm_min16(a, b) }

    @inline(__always) public static func sigmoid(_ x: F16) -> F16 {
        1 / (1 + exp(-x))
    }

    /// grad * silu'(x), given s = sigmoid(x): silu' = s (1 + x (1 - s)). The products run
    /// left to right from `grad`, so silu's backward and swiglu's (grad * up) round alike.
    @inline(__always) public static func siluBackward(_ grad: F16, x: F16, sigmoid s: F16) -> F16 {
        grad * s * (1 + x * (1 - s))
    }

    @inline(__always) public static func tanh(_ x: F16) -> F16 {
        // Small |x|: odd polynomial (Cephes tanhf); otherwise 1 - 2 / (exp(2|x|) + 1) with the sign.
        let ax = FastMath.abs(x)
        let z = x * x
        var p = F16(repeating: -5.704_988_72e-3)
        p = p * z + 2.063_908_88e-2
        p = p * z - 5.373_971_55e-2
        p = p * z + 1.333_144_22e-1
        p = p * z - 3.333_328_19e-1
        let small = x + x * z * p
        let e = exp(2 * ax)
        var large = 1 - 2 / (e + 1)
        large.replace(with: -large, where: x .< 0)
        var out = large
        out.replace(with: small, where: ax .< 0.625)
        return out
    }

    @inline(__always) public static func erf(_ x: F16) -> F16 {
        let ax = FastMath.abs(x)
        let t = 1 / (1 + 0.327_591_1 * ax)
        var y = F16(repeating: 1.061_405_429)
        y = y * t - 1.453_152_027
        y = y * t + 1.421_413_741
        y = y * t - 0.284_496_736
        y = y * t + 0.254_829_592
        y = 1 - y * t * exp(-ax * ax)
        y.replace(with: -y, where: x .< 0)
        return y
    }

    /// exp of one value through the vector path (keeps scalar and vector results identical).
    @inline(__always) public static func exp(_ x: Float) -> Float { exp(F16(repeating: x))[0] }

    /// dst[i] = f(src[i]) in blocks of 16; the tail goes through a zero-padded block.
    @inline(__always)
    public static func map(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int,
                           _ f: (F16) -> F16) {
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: F16.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f(v), as: F16.self)
            i += 16
        }
        if i < n {
            var v = F16()
            for j in 0..<(n - i) { v[j] = src[i + j] }
            let r = f(v)
            for j in 0..<(n - i) { dst[i + j] = r[j] }
        }
    }

    /// dst[i] = f(a[i], b[i]) in blocks of 16.
    @inline(__always)
    public static func map2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                            _ n: Int, _ f: (F16, F16) -> F16) {
        var i = 0
        while i + 16 <= n {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: F16.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: F16.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f(va, vb), as: F16.self)
            i += 16
        }
        if i < n {
            var va = F16(), vb = F16()
            for j in 0..<(n - i) { va[j] = a[i + j]; vb[j] = b[i + j] }
            let r = f(va, vb)
            for j in 0..<(n - i) { dst[i + j] = r[j] }
        }
    }

    /// dst[i] = f(a[i], b[i], c[i]) in blocks of 16.
    @inline(__always)
    public static func map3(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                            _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ f: (F16, F16, F16) -> F16) {
        var i = 0
        while i + 16 <= n {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: F16.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: F16.self)
            let vc = UnsafeRawPointer(c + i).loadUnaligned(as: F16.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f(va, vb, vc), as: F16.self)
            i += 16
        }
        if i < n {
            var va = F16(), vb = F16(), vc = F16()
            for j in 0..<(n - i) { va[j] = a[i + j]; vb[j] = b[i + j]; vc[j] = c[i + j] }
            let r = f(va, vb, vc)
            for j in 0..<(n - i) { dst[i + j] = r[j] }
        }
    }

    /// (d1[i], d2[i]) = f(a[i], b[i], c[i]) in blocks of 16, each output written when given:
    /// a backward pass that yields two gradients from one evaluation.
    @inline(__always)
    public static func map3(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                            _ d1: UnsafeMutablePointer<Float>?, _ d2: UnsafeMutablePointer<Float>?, _ n: Int,
                            _ f: (F16, F16, F16) -> (F16, F16)) {
        var i = 0
        while i + 16 <= n {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: F16.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: F16.self)
            let vc = UnsafeRawPointer(c + i).loadUnaligned(as: F16.self)
            let (r1, r2) = f(va, vb, vc)
            if let d1 { UnsafeMutableRawPointer(d1 + i).storeBytes(of: r1, as: F16.self) }
            if let d2 { UnsafeMutableRawPointer(d2 + i).storeBytes(of: r2, as: F16.self) }
            i += 16
        }
        if i < n {
            var va = F16(), vb = F16(), vc = F16()
            for j in 0..<(n - i) { va[j] = a[i + j]; vb[j] = b[i + j]; vc[j] = c[i + j] }
            let (r1, r2) = f(va, vb, vc)
            for j in 0..<(n - i) {
                d1?[i + j] = r1[j]
                d2?[i + j] = r2[j]
            }
        }
    }

    /// Sum of n floats (16 partial sums, so the order is fixed and the result deterministic).
    @inline(__always) public static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = F16()
        var i = 0
        while i + 16 <= n {
            acc += UnsafeRawPointer(p + i).loadUnaligned(as: F16.self)
            i += 16
        }
        var s = acc.sum()
        while i < n { s += p[i]; i += 1 }
        return s
    }

    /// Largest of n floats (-inf for n == 0).
    @inline(__always) public static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = F16(repeating: -.infinity)
        var i = 0
        while i + 16 <= n {
            acc = vlm_max16(acc, UnsafeRawPointer(p + i).loadUnaligned(as: F16.self))
            i += 16
        }
        var m = acc.max()
        while i < n { m = Swift.max(m, p[i]); i += 1 }
        return m
    }

    /// Sum of a[i] * b[i].
    @inline(__always) public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = F16()
        var i = 0
        while i + 16 <= n {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: F16.self) * UnsafeRawPointer(b + i).loadUnaligned(as: F16.self)
            i += 16
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }
}
