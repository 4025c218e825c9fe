import Foundation

/// Pillow's resampling filters, numbered as `PIL.Image.Resampling` (the numbers a
/// preprocessor_config.json's `resample` holds; 6 and 7 arrived in Pillow 13). All but
/// `nearest` are separable convolutions that `RGBImage.resized` reproduces exactly.
public enum ResampleFilter: Int, Sendable, Codable, CaseIterable {
    case nearest = 0
    case lanczos = 1
    case bilinear = 2
    case bicubic = 3
    case box = 4
    case hamming = 5
    /// Magic Kernel Sharp 2013 (John Costella).
    case mks2013 = 6
    /// Magic Kernel Sharp 2021.
    case mks2021 = 7

    /// Half-width of the filter at scale 1, in input pixels (Pillow's `support`).
    var support: Double {
        switch self {
        case .nearest, .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        case .mks2013: return 2.5
        case .mks2021: return 4.5
        }
    }

    /// The filter's weight at distance `x`, with Pillow's formulas (including its
    /// single-precision constants in the Hamming window).
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest, .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let d = abs(x)
            return d < 1 ? 1 - d : 0
        case .hamming:
            let d = abs(x)
            if d == 0 { return 1 }
            if d >= 1 { return 0 }
            let t = d * Double.pi
            return sin(t) / t * (Double(Float(0.54)) + Double(Float(0.46)) * cos(t))
        case .bicubic:
            // Keys' cubic convolution with a = -0.5.
            let a = -0.5
            let d = abs(x)
            if d < 1 { return ((a + 2) * d - (a + 3)) * d * d + 1 }
            if d < 2 { return (((d - 5) * d + 8) * d - 4) * a }
            return 0
        case .lanczos:
            return x >= -3 && x < 3 ? Self.sinc(x) * Self.sinc(x / 3) : 0
        case .mks2013:
            let d = abs(x)
            if d < 0.5 { return 17.0 / 16.0 - 7.0 / 4.0 * pow(d, 2) }
            if d < 1.5 { return (1.0 - d) * (7.0 / 4.0 - d) }
            if d < 2.5 { return -1.0 / 8.0 * pow(d - 5.0 / 2.0, 2) }
            return 0
        case .mks2021:
            let d = abs(x)
            if d < 0.5 { return 577.0 / 576.0 - 239.0 / 144.0 * pow(d, 2) }
            if d < 1.5 { return 35.0 / 36.0 * (d - 1.0) * (d - 239.0 / 140.0) }
            if d < 2.5 { return 1.0 / 6.0 * (d - 2.0) * (65.0 / 24.0 - d) }
            if d < 3.5 { return 1.0 / 36.0 * (d - 3.0) * (d - 15.0 / 4.0) }
            if d < 4.5 { return -1.0 / 288.0 * pow(d - 9.0 / 2.0, 2) }
            return 0
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let t = x * Double.pi
        return sin(t) / t
    }
}
