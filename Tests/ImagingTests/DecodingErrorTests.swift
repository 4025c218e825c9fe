import Foundation
import XCTest
@testable import Imaging

/// Bad input gives an `ImagingError` naming the file and the problem; never a crash, never
/// output on stderr (libpng and libjpeg's handlers are replaced in CImaging).
final class DecodingErrorTests: XCTestCase {
    func testErrorFixturesFailWithTheExpectedKind() throws {
        let kinds: [String: ImagingError.Kind] = [
            "truncated": .truncated, "corrupt": .corrupt, "unknownFormat": .unknownFormat,
        ]
        XCTAssertEqual(Fixtures.manifest.errors.count, 9)
        for entry in Fixtures.manifest.errors {
            let url = Fixtures.url(entry.file)
            do {
                _ = try RGBImage(contentsOf: url)
                XCTFail("\(entry.file) decoded")
            } catch let error as ImagingError {
                XCTAssertEqual(error.kind, kinds[entry.kind], "\(entry.file): \(error)")
                XCTAssertEqual(error.source, url.path)
                XCTAssertTrue(error.description.hasPrefix(url.path + ": "), error.description)
                XCTAssertGreaterThan(error.message.count, 10, error.description)
            }
        }
    }

    func testMessagesSayWhatIsWrong() throws {
        func message(_ file: String) -> String {
            do {
                _ = try RGBImage(contentsOf: Fixtures.url("errors/" + file))
                return "decoded"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(message("truncated.png").hasSuffix("truncated PNG: data ends before the image does"),
                      message("truncated.png"))
        XCTAssertTrue(message("truncated.jpg").hasSuffix("truncated JPEG: data ends before the image does"),
                      message("truncated.jpg"))
        XCTAssertTrue(message("bad_crc.png").contains("corrupt PNG: IHDR: CRC error"), message("bad_crc.png"))
        XCTAssertTrue(message("empty.jpg").hasSuffix("empty file, not an image"), message("empty.jpg"))
        XCTAssertTrue(message("random_named.png").contains("not a PNG or JPEG file (it starts with 47 49 46 38"),
                      message("random_named.png"))
    }

    func testEveryPrefixOfAValidFileFailsCleanly() throws {
        // Cutting a file anywhere must give an error (or, past the pixel data, the image).
        for file in ["decode/png_rgb8_interlaced.png", "decode/jpeg_progressive_420.jpg",
                     "decode/jpeg_grey.jpg", "decode/png_palette8_trns.png"] {
            let bytes = try Fixtures.bytes(file)
            let full = try RGBImage(decoding: Data(bytes))
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
                do {
                    let image = try RGBImage(decoding: Data(bytes[0..<length]), source: file)
                    XCTAssertEqual(image, full, "\(file) cut at \(length) decoded to something else")
                } catch let error as ImagingError {
                    XCTAssertEqual(error.source, file)
                }
            }
        }
    }

    func testCorruptedBytesInsideAValidFileFailCleanly() throws {
        var generator = SplitMix(seed: 7)
        for file in ["decode/jpeg_baseline_420.jpg", "decode/png_rgba16.png", "decode/jpeg_cmyk_adobe.jpg"] {
            let original = try Fixtures.bytes(file)
            for _ in 0..<60 {
                var bytes = original
                for _ in 0..<4 {
                    let position = 3 + Int(generator.next() % UInt64(bytes.count - 3))
                    bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                }
                // Either outcome is fine (JPEG tolerates damaged entropy data, as Pillow
                // does); what matters is returning at all.
                _ = try? RGBImage(decoding: Data(bytes))
            }
        }
    }

    /// libpng and libjpeg print warnings and errors to stderr unless told otherwise; with
    /// CImaging's handlers, decoding every bad file (and valid files with warnings, such as
    /// an unknown-CRC ancillary chunk) writes nothing there.
    func testLibrariesWriteNothingToStandardError() throws {
        let capture = FileManager.default.temporaryDirectory
            .appendingPathComponent("imaging-stderr-\(getpid()).txt")
        let captureFile = open(capture.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(captureFile, 0)
        defer { try? FileManager.default.removeItem(at: capture) }
        fflush(stderr)
        let savedStandardError = dup(2)
        dup2(captureFile, 2)
        var failures = 0
        for entry in Fixtures.manifest.errors + Fixtures.manifest.decode.map({ .init(file: $0.file, kind: "") }) {
            do { _ = try RGBImage(contentsOf: Fixtures.url(entry.file)) } catch { failures += 1 }
        }
        let jpeg = try Fixtures.bytes("decode/jpeg_baseline_420.jpg")
        var damaged = jpeg
        for i in stride(from: jpeg.count / 2, to: jpeg.count - 2, by: 7) { damaged[i] = 0xFF }  // stray markers
        _ = try? RGBImage(decoding: Data(damaged))
        fflush(stderr)
        dup2(savedStandardError, 2)
        close(savedStandardError)
        close(captureFile)
        XCTAssertEqual(failures, Fixtures.manifest.errors.count)
        XCTAssertEqual(try String(contentsOf: capture, encoding: .utf8), "")
    }

    func testMissingFilesAndFoldersAreReportedAsUnreadable() {
        let missing = Fixtures.url("decode/does_not_exist.png")
        XCTAssertThrowsError(try RGBImage(contentsOf: missing)) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .unreadable)
            XCTAssertEqual("\(error)", "\(missing.path): no such file")
        }
        XCTAssertThrowsError(try RGBImage(contentsOf: Fixtures.url("decode"))) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .unreadable)
        }
    }

    func testBytesWithoutANameAreCalledImageData() {
        XCTAssertThrowsError(try RGBImage(decoding: Data())) { error in
            XCTAssertEqual("\(error)", "image data: empty file, not an image")
        }
    }
}

/// A tiny deterministic generator for the fuzzing loops.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
