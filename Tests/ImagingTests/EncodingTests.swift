import Foundation
import XCTest
@testable import Imaging

final class EncodingTests: XCTestCase {
    private func sampleImage(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height, filledWith: RGBPixel(red: 0, green: 0, blue: 0))
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = RGBPixel(red: UInt8(x * 255 / max(width - 1, 1)),
                                       green: UInt8(y * 255 / max(height - 1, 1)),
                                       blue: UInt8((x + y) * 255 / max(width + height - 2, 1)))
            }
        }
        return image
    }

    func testPNGRoundTripIsLossless() throws {
        for (width, height) in [(1, 1), (37, 23), (5, 64)] {
            let image = sampleImage(width: width, height: height)
            let data = try image.pngData()
            XCTAssertEqual(ImageFormat.detect(data), .png)
            XCTAssertEqual(try RGBImage(decoding: data), image)
        }
        let fastest = try sampleImage(width: 40, height: 40).pngData(compressionLevel: 0)
        let smallest = try sampleImage(width: 40, height: 40).pngData(compressionLevel: 9)
        XCTAssertLessThan(smallest.count, fastest.count)
    }

    func testGreyPNGRoundTripReplicatesTheChannel() throws {
        let grey = GreyImage(width: 3, height: 2, pixels: [0, 50, 100, 150, 200, 255])
        let decoded = try RGBImage(decoding: try grey.pngData())
        XCTAssertEqual(decoded.width, 3)
        XCTAssertEqual(decoded.height, 2)
        XCTAssertEqual(decoded.pixels, grey.pixels.flatMap { [$0, $0, $0] })
    }

    func testJPEGRoundTripIsClose() throws {
        let image = sampleImage(width: 64, height: 48)
        let data = try image.jpegData(quality: 95)
        XCTAssertEqual(ImageFormat.detect(data), .jpeg)
        let decoded = try RGBImage(decoding: data)
        XCTAssertEqual(decoded.width, 64)
        XCTAssertEqual(decoded.height, 48)
        XCTAssertLessThan(ByteDifference(decoded.pixels, image.pixels).mean, 3)
        XCTAssertLessThan(try image.jpegData(quality: 20).count, data.count)

        let grey = GreyImage(width: 16, height: 8, pixels: (0..<128).map { UInt8($0 * 2) })
        let greyDecoded = try RGBImage(decoding: try grey.jpegData(quality: 100))
        let expected = grey.pixels.flatMap { [$0, $0, $0] }
        XCTAssertLessThanOrEqual(ByteDifference(greyDecoded.pixels, expected).maximum, 2)
    }

    func testImpossibleArgumentsThrowInsteadOfCrashing() {
        let image = sampleImage(width: 4, height: 4)
        XCTAssertThrowsError(try image.jpegData(quality: 0)) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .invalidArgument)
            XCTAssertTrue("\(error)".contains("quality 0"), "\(error)")
        }
        XCTAssertThrowsError(try image.jpegData(quality: 101))
        XCTAssertThrowsError(try image.pngData(compressionLevel: 10))
        XCTAssertThrowsError(try RGBImage(width: 0, height: 3, pixels: []).pngData())
    }
}
