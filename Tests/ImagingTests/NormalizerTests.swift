import XCTest
@testable import Imaging

final class NormalizerTests: XCTestCase {
    func testLayoutIsChannelsFirst() {
        let normalizer = PixelNormalizer(mean: [0, 0, 0], std: [1, 1, 1], rescaleFactor: 1)
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(normalizer.normalize(image), [1, 4, 2, 5, 3, 6])
    }

    func testValuesFollowNumPysFloat32Steps() {
        let config = ImageProcessorConfig.clip()
        let normalizer = PixelNormalizer(mean: config.imageMean, std: config.imageStd)
        for channel in 0..<3 {
            for sample in [0, 1, 127, 128, 254, 255] {
                let rescaled = Float(Double(sample) * (1.0 / 255.0))
                let expected = (rescaled - Float(config.imageMean[channel])) / Float(config.imageStd[channel])
                XCTAssertEqual(normalizer.value(UInt8(sample), channel: channel), expected)
            }
        }
        // 255 in the red channel: (1 - 0.48145466) / 0.26862954.
        XCTAssertEqual(normalizer.value(255, channel: 0), 1.9303361, accuracy: 1e-6)
    }

    func testNormalisingAShardSliceInPlace() {
        let normalizer = PixelNormalizer(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        let pixels: [UInt8] = [0, 255, 0, 255, 0, 255]
        var planes = [Float](repeating: .nan, count: 6)
        pixels.withUnsafeBufferPointer { source in
            planes.withUnsafeMutableBufferPointer { target in
                normalizer.normalize(pixels: source.baseAddress!, pixelCount: 2, into: target.baseAddress!)
            }
        }
        XCTAssertEqual(planes, [-1, 1, 1, -1, -1, 1])
    }
}
