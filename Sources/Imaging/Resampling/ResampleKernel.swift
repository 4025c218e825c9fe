/// The weights of one resampling pass along one axis, as Pillow's `precompute_coeffs` and
/// `normalize_coeffs_8bpc` (libImaging/Resample.c) make them:
///
/// - when shrinking, the filter is stretched by the scale (`filterscale = in / out`), so
///   every input pixel contributes (an antialiased resize, unlike OpenCV or torch);
/// - output pixel `i` is centred on input coordinate `(i + 0.5) * scale` and reads the
///   inputs `start ..< start + count`, rounded and clamped to the image;
/// - the weights of each output are divided by their sum, then turned into signed 22-bit
///   fixed point, rounding half away from zero.
struct ResampleKernel {
    /// Fixed-point fraction bits: 32 - 8 (pixel) - 2 (headroom for negative lobes).
    static let precisionBits: Int32 = 22

    /// The outputs these weights are for (a window of `0 ..< outputSize`); index `i` of the
    /// arrays below is output `outputs.lowerBound + i`.
    let outputs: Range<Int>
    /// Weights stored per output (the maximum number of taps, Pillow's `ksize`).
    let taps: Int
    /// First input index each output reads.
    let starts: [Int]
    /// Number of inputs each output reads (at most `taps`).
    let counts: [Int]
    /// `outputs.count * taps` fixed-point weights, zero past each output's `count`.
    let weights: [Int32]

    /// Weights for `outputs` (all of them by default) of a resize from `inputSize` to `outputSize`.
    init(inputSize: Int, outputSize: Int, outputs: Range<Int>? = nil, filter: ResampleFilter) {
        let outputs = outputs ?? 0 ..< outputSize
        // Pillow passes the source box as floats; for whole images the span is exact.
        let scale = Double(Float(inputSize)) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        let inverseFilterScale = 1 / filterScale

        var starts = [Int](repeating: 0, count: outputs.count)
        var counts = [Int](repeating: 0, count: outputs.count)
        var weights = [Int32](repeating: 0, count: outputs.count * taps)
        var real = [Double](repeating: 0, count: taps)
        for (i, output) in outputs.enumerated() {
            let centre = (Double(output) + 0.5) * scale
            let start = max(Int(centre - support + 0.5), 0)
            let end = min(Int(centre + support + 0.5), inputSize)
            let count = end - start
            var sum = 0.0
            for k in 0..<count {
                let w = filter.weight((Double(k + start) - centre + 0.5) * inverseFilterScale)
                real[k] = w
                sum += w
            }
            for k in 0..<count {
                let w = sum != 0 ? real[k] / sum : real[k]
                let fixed = w * Double(Int32(1) << Self.precisionBits)
                weights[i * taps + k] = Int32(w < 0 ? -0.5 + fixed : 0.5 + fixed)
            }
            starts[i] = start
            counts[i] = count
        }
        self.outputs = outputs
        self.taps = taps
        self.starts = starts
        self.counts = counts
        self.weights = weights
    }

    /// The input indices these outputs read.
    var inputsRead: Range<Int> {
        guard let first = starts.first, let last = starts.last, let count = counts.last else { return 0 ..< 0 }
        return first ..< last + count
    }

    /// Pillow's `clip8`: drops the fraction bits of a fixed-point sum (which started at
    /// one half, so this rounds) and clamps to 0...255.
    @inline(__always)
    static func clip(_ sum: Int32) -> UInt8 {
        let value = sum >> precisionBits
        return value <= 0 ? 0 : value >= 255 ? 255 : UInt8(truncatingIfNeeded: value)
    }

    /// The starting value of every sum: one half in fixed point.
    static let half: Int32 = 1 << (precisionBits - 1)
}
