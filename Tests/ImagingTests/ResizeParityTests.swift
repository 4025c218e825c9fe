import XCTest
@testable import Imaging

/// `RGBImage.resized` against Pillow's `Image.resize` for every filter.
final class ResizeParityTests: XCTestCase {
    /// Pillow 13's own output, and Pillow 12's (horizontal pass always first) where the two
    /// differ, for every filter, up- and downscaling, with each pass order exercised.
    func testEveryFilterMatchesPillowExactly() throws {
        XCTAssertEqual(Set(Fixtures.manifest.resize.map(\.filter)), Set(0...7))
        XCTAssertGreaterThan(Fixtures.manifest.resize.filter { $0.order == "horizontalFirst" }.count, 10)
        for entry in Fixtures.manifest.resize {
            let input = try Fixtures.image(entry.input)
            let filter = try XCTUnwrap(ResampleFilter(rawValue: entry.filter))
            let order = try XCTUnwrap(ResamplePassOrder(rawValue: entry.order))
            let output = input.resized(width: entry.width, height: entry.height, filter: filter, passOrder: order)
            let difference = ByteDifference(output.pixels, try Fixtures.bytes(entry.reference))
            XCTAssertEqual(difference.differing, 0,
                           "\(entry.reference): \(difference.differing) samples differ, max \(difference.maximum)")
        }
    }

    func testPillow13PassOrderRule() {
        let rule = ResamplePassOrder.pillow13
        XCTAssertTrue(rule.verticalFirst(from: (97, 301), to: (32, 32)))     // 269 > 2 * 65
        XCTAssertFalse(rule.verticalFirst(from: (300, 97), to: (32, 32)))
        XCTAssertTrue(rule.verticalFirst(from: (37, 23), to: (53, 11)))      // width grows
        XCTAssertFalse(rule.verticalFirst(from: (56, 79), to: (29, 31)))     // 48 <= 2 * 27
        XCTAssertFalse(ResamplePassOrder.horizontalFirst.verticalFirst(from: (97, 301), to: (32, 32)))
    }

    func testSameSizeIsTheSameImage() throws {
        let input = try Fixtures.image("inputs/input_37x23.png")
        XCTAssertEqual(input.resized(width: 37, height: 23), input)
    }

    func testKernelWeightsSumToOneInFixedPoint() {
        // Pillow's normalisation makes each output's weights sum to 1 before rounding, so the
        // fixed-point sums stay within a rounding step per tap of 2^22.
        for (input, output) in [(500, 336), (37, 53), (5, 1), (1, 32), (301, 32)] {
            for filter in ResampleFilter.allCases where filter != .nearest {
                let kernel = ResampleKernel(inputSize: input, outputSize: output, filter: filter)
                for i in 0..<output {
                    let weights = kernel.weights[i * kernel.taps ..< i * kernel.taps + kernel.counts[i]]
                    let sum = weights.reduce(0) { $0 + Int($1) }
                    XCTAssertLessThanOrEqual(abs(sum - (1 << 22)), kernel.counts[i], "\(filter) \(input)->\(output) at \(i)")
                    XCTAssertGreaterThanOrEqual(kernel.starts[i], 0)
                    XCTAssertLessThanOrEqual(kernel.starts[i] + kernel.counts[i], input)
                }
            }
        }
    }

    func testAConstantImageStaysConstant() {
        let grey = RGBImage(width: 97, height: 31, filledWith: RGBPixel(red: 7, green: 128, blue: 250))
        for filter in ResampleFilter.allCases {
            let resized = grey.resized(width: 20, height: 45, filter: filter)
            XCTAssertEqual(resized, RGBImage(width: 20, height: 45, filledWith: RGBPixel(red: 7, green: 128, blue: 250)),
                           "\(filter)")
        }
    }
}

/// Computing only a window of a resize gives exactly that window of the full resize.
final class ResizeWindowTests: XCTestCase {
    func testWindowsEqualCropsOfTheFullResize() throws {
        let input = try Fixtures.image("inputs/input_97x301.png")
        let cases: [(Int, Int, Range<Int>, Range<Int>)] = [
            (32, 99, 0 ..< 32, 33 ..< 65), (150, 40, 59 ..< 91, 4 ..< 36), (97, 20, 10 ..< 90, 0 ..< 20),
            (40, 301, 3 ..< 7, 100 ..< 301), (97, 301, 5 ..< 6, 7 ..< 9),
        ]
        for filter in [ResampleFilter.bicubic, .nearest, .lanczos] {
            for order in ResamplePassOrder.allCases {
                for (width, height, columns, rows) in cases {
                    let full = input.resized(width: width, height: height, filter: filter, passOrder: order)
                    let window = input.resized(width: width, height: height, columns: columns, rows: rows,
                                               filter: filter, passOrder: order)
                    XCTAssertEqual(window, full.cropped(columns: columns, rows: rows),
                                   "\(filter) \(order) \(width)x\(height) \(columns) \(rows)")
                }
            }
        }
    }

    func testALongBannerIsCroppedWithoutScalingItWhole() throws {
        let banner = RGBImage(width: 1, height: 40_000, filledWith: RGBPixel(red: 9, green: 99, blue: 199))
        let crop = try ImagePreprocessor(config: .clip(side: 336), mode: .crop)
        let output = crop.preprocess(banner)  // the full resize would be 336 x 13,440,000
        XCTAssertEqual(output, RGBImage(width: 336, height: 336, filledWith: RGBPixel(red: 9, green: 99, blue: 199)))
    }
}
