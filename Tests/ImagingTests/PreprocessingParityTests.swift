import Foundation
import XCTest
@testable import Imaging

/// Each mode against transformers' PIL processors (`use_fast=False`) and LLaVA's
/// expand2square, over odd sizes that upscale (1x5, 37x23 to 48) and downscale (300x97).
final class PreprocessingParityTests: XCTestCase {
    private func preprocessor(_ entry: Fixtures.Manifest.Preprocess) throws -> ImagePreprocessor {
        let config = try ImageProcessorConfig.load(towerDirectory: Fixtures.url(entry.tower), fallback: .clip())
        return try ImagePreprocessor(config: config, mode: try XCTUnwrap(ImageMode(rawValue: entry.mode)))
    }

    func testEveryModeMatchesTransformersUint8Exactly() throws {
        XCTAssertEqual(Set(Fixtures.manifest.preprocess.map(\.mode)), ["pad", "crop", "resize"])
        var report: [String: (maximum: Int, total: Double, count: Int)] = [:]
        for entry in Fixtures.manifest.preprocess {
            let processor = try preprocessor(entry)
            XCTAssertEqual(processor.outputSide, entry.side, entry.reference)
            let output = processor.preprocess(try Fixtures.image(entry.input))
            XCTAssertEqual(output.width, entry.side)
            XCTAssertEqual(output.height, entry.side)
            let difference = ByteDifference(output.pixels, try Fixtures.bytes(entry.reference))
            XCTAssertEqual(difference.differing, 0,
                           "\(entry.reference): \(difference.differing) samples differ, max \(difference.maximum)")
            let previous = report[entry.mode] ?? (0, 0, 0)
            report[entry.mode] = (max(previous.maximum, difference.maximum),
                                  previous.total + difference.mean, previous.count + 1)
        }
        for (mode, figures) in report.sorted(by: { $0.key < $1.key }) {
            print("parity \(mode): \(figures.count) cases, max abs diff \(figures.maximum)/255, mean abs diff \(figures.total / Double(figures.count))/255")
        }
    }

    /// The project's bar: after normalising, then undoing the normalisation, the mean
    /// absolute difference to transformers' pixel_values is at most 1/255. The float32
    /// values themselves are compared too: the normaliser repeats NumPy's float32 steps.
    func testNormalisedValuesMatchTransformersFloat32() throws {
        let withValues = Fixtures.manifest.preprocess.filter { $0.pixel_values != nil }
        XCTAssertEqual(withValues.count, 3)
        for entry in withValues {
            let processor = try preprocessor(entry)
            let values = processor.pixelValues(try Fixtures.image(entry.input))
            let expected = try Fixtures.floats(entry.pixel_values!)
            XCTAssertEqual(values.count, expected.count)
            let side = entry.side * entry.side
            var maximumFloat: Float = 0
            var unnormalisedTotal = 0.0
            for i in 0..<values.count {
                maximumFloat = max(maximumFloat, abs(values[i] - expected[i]))
                let channel = i / side
                let std = processor.config.imageStd[channel]
                unnormalisedTotal += abs(Double(values[i]) - Double(expected[i])) * std
            }
            let unnormalisedMean = unnormalisedTotal / Double(values.count)
            XCTAssertEqual(maximumFloat, 0, "\(entry.pixel_values!): float32 values differ by up to \(maximumFloat)")
            XCTAssertLessThanOrEqual(unnormalisedMean, 1.0 / 255)
        }
    }

    func testPadModeUsesLLaVAsBackground() throws {
        let clip = try ImagePreprocessor(config: .clip(side: 336), mode: .pad)
        XCTAssertEqual(clip.padColour, RGBPixel(red: 122, green: 116, blue: 104))
        let siglip = try ImagePreprocessor(config: .siglip(side: 384), mode: .pad)
        XCTAssertEqual(siglip.padColour, RGBPixel(red: 127, green: 127, blue: 127))

        // A one-pixel-high white bar pads to a square whose rows are the background colour.
        let bar = RGBImage(width: 7, height: 1, filledWith: RGBPixel(red: 255, green: 255, blue: 255))
        let square = bar.paddedToSquare(background: clip.padColour)
        XCTAssertEqual(square.width, 7)
        XCTAssertEqual(square[0, 2], RGBPixel(red: 122, green: 116, blue: 104))
        XCTAssertEqual(square[6, 3], RGBPixel(red: 255, green: 255, blue: 255))
        XCTAssertEqual(square[6, 4], RGBPixel(red: 122, green: 116, blue: 104))
    }

    func testCentreCropOffsetsAndPadding() {
        var image = RGBImage(width: 5, height: 4, filledWith: RGBPixel(red: 0, green: 0, blue: 0))
        for y in 0..<4 { for x in 0..<5 { image[x, y] = RGBPixel(red: UInt8(x), green: UInt8(y), blue: 9) } }
        // (5 - 2) // 2 = 1 and (4 - 3) // 2 = 0.
        let crop = image.centerCropped(width: 2, height: 3)
        XCTAssertEqual(crop[0, 0], RGBPixel(red: 1, green: 0, blue: 9))
        XCTAssertEqual(crop[1, 2], RGBPixel(red: 2, green: 2, blue: 9))
        // Larger than the image: placed at ceil((8 - 5) / 2) = 2 on black.
        let padded = image.centerCropped(width: 8, height: 4)
        XCTAssertEqual(padded[1, 0], RGBPixel(red: 0, green: 0, blue: 0))
        XCTAssertEqual(padded[2, 1], RGBPixel(red: 0, green: 1, blue: 9))
        XCTAssertEqual(padded[6, 3], RGBPixel(red: 4, green: 3, blue: 9))
        XCTAssertEqual(padded[7, 3], RGBPixel(red: 0, green: 0, blue: 0))
    }

    func testShortestEdgeSizesFollowTransformers() {
        let edge = ImageProcessorConfig.ResizeTarget.shortestEdge(336)
        // int(336 * 500 / 375) = 448; int(336 * 301 / 97) = 1042 (1042.6...).
        XCTAssertEqual(ImagePreprocessor.resizedSize(width: 500, height: 375, target: edge), PixelSize(height: 336, width: 448))
        XCTAssertEqual(ImagePreprocessor.resizedSize(width: 97, height: 301, target: edge), PixelSize(height: 1042, width: 336))
        XCTAssertEqual(ImagePreprocessor.resizedSize(width: 7, height: 7, target: edge), .square(336))
    }
}
