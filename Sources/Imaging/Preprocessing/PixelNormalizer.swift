/// uint8 RGB (`[S, S, 3]`, as stored in shards) to the f32 channels-first `[3, S, S]`
/// pixel values a vision tower takes, bit for bit what transformers computes:
/// `float32(float64(v) * rescale_factor)`, then `(x - mean) / std` in float32.
///
/// Only 256 values per channel exist, so they are computed once into a table and
/// normalising is one lookup per sample (it runs for every training sample).
public struct PixelNormalizer: Sendable {
    public let mean: [Double]
    public let std: [Double]
    public let rescaleFactor: Double
    /// 3 x 256 normalised values, channel-major.
    private let table: [Float]

    public init(mean: [Double], std: [Double], rescaleFactor: Double = 1.0 / 255.0) {
        precondition(mean.count == 3 && std.count == 3, "PixelNormalizer: need 3 means and 3 stds")
        self.mean = mean
        self.std = std
        self.rescaleFactor = rescaleFactor
        var table = [Float](repeating: 0, count: 3 * 256)
        for channel in 0..<3 {
            let m = Float(mean[channel]), s = Float(std[channel])
            for value in 0..<256 {
                let rescaled = Float(Double(value) * rescaleFactor)
                table[channel * 256 + value] = (rescaled - m) / s
            }
        }
        self.table = table
    }

    /// The normalised value of one 0...255 sample in one channel.
    public func value(_ sample: UInt8, channel: Int) -> Float {
        table[channel * 256 + Int(sample)]
    }

    /// Normalises `image` into a new `[3, height, width]` array.
    public func normalize(_ image: RGBImage) -> [Float] {
        let count = image.width * image.height
        return [Float](unsafeUninitializedCapacity: count * 3) { buffer, initialized in
            image.pixels.withUnsafeBufferPointer { pixels in
                normalize(pixels: pixels.baseAddress!, pixelCount: count, into: buffer.baseAddress!)
            }
            initialized = count * 3
        }
    }

    /// Normalises `pixelCount` interleaved RGB pixels (for instance a slice of a shard's
    /// `/images/pixels`) into three planes of `pixelCount` floats at `output`.
    public func normalize(pixels: UnsafePointer<UInt8>, pixelCount: Int,
                          into output: UnsafeMutablePointer<Float>) {
        table.withUnsafeBufferPointer { table in
            let red = table.baseAddress!, green = red + 256, blue = red + 512
            let redPlane = output, greenPlane = output + pixelCount, bluePlane = output + 2 * pixelCount
            var source = pixels
            for i in 0..<pixelCount {
                redPlane[i] = red[Int(source[0])]
                greenPlane[i] = green[Int(source[1])]
                bluePlane[i] = blue[Int(source[2])]
                source += 3
            }
        }
    }
}
