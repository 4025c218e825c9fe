import Foundation
import XCTest
@testable import Imaging

/// Every decode fixture against Pillow's `Image.open(f).convert("RGB")`.
final class DecodingParityTests: XCTestCase {
    func testPNGVariantsMatchPillowExactly() throws {
        let cases = Fixtures.manifest.decode.filter { $0.file.contains("/png_") }
        XCTAssertGreaterThanOrEqual(cases.count, 20)
        for entry in cases {
            let image = try RGBImage(contentsOf: Fixtures.url(entry.file))
            XCTAssertEqual(image.width, entry.width, entry.file)
            XCTAssertEqual(image.height, entry.height, entry.file)
            let difference = ByteDifference(image.pixels, try Fixtures.bytes(entry.reference))
            XCTAssertEqual(difference.differing, 0,
                           "\(entry.file) (Pillow mode \(entry.pillow_mode)): \(difference.differing) samples differ, max \(difference.maximum)")
        }
    }

    /// Pillow bundles libjpeg-turbo 3.x, the system has 2.1; both use the accurate integer
    /// IDCT and fancy upsampling, so the pixels are expected to agree exactly. The bar the
    /// project set is a mean difference of at most 1/255 (one grey level); the test checks
    /// exactness too and reports any difference.
    func testJPEGVariantsMatchPillow() throws {
        let cases = Fixtures.manifest.decode.filter { $0.file.contains("/jpeg_") }
        XCTAssertGreaterThanOrEqual(cases.count, 8)
        for entry in cases {
            let image = try RGBImage(contentsOf: Fixtures.url(entry.file))
            XCTAssertEqual(image.width, entry.width, entry.file)
            XCTAssertEqual(image.height, entry.height, entry.file)
            let difference = ByteDifference(image.pixels, try Fixtures.bytes(entry.reference))
            XCTAssertLessThanOrEqual(difference.mean, 1, entry.file)
            XCTAssertEqual(difference.differing, 0,
                           "\(entry.file): \(difference.differing) samples differ, max \(difference.maximum), mean \(difference.mean)")
        }
    }

    func testFormatIsTakenFromTheSignatureNotTheName() throws {
        let misnamed = try RGBImage(contentsOf: Fixtures.url("decode/png_named_as.jpg"))
        let original = try RGBImage(contentsOf: Fixtures.url("decode/png_rgb8.png"))
        XCTAssertEqual(misnamed, original)
        XCTAssertEqual(ImageFormat.detect(try Fixtures.bytes("decode/png_named_as.jpg")), .png)
        XCTAssertEqual(ImageFormat.detect(try Fixtures.bytes("decode/jpeg_grey.jpg")), .jpeg)
        XCTAssertNil(ImageFormat.detect([UInt8]([0xFF, 0xD8])))
    }

    func testDecodingFromDataEqualsDecodingTheFile() throws {
        let url = Fixtures.url("decode/jpeg_progressive_420.jpg")
        let fromData = try RGBImage(decoding: try Data(contentsOf: url))
        XCTAssertEqual(fromData, try RGBImage(contentsOf: url))
    }
}
