import Foundation
import XCTest
@testable import Imaging

final class ProcessorConfigTests: XCTestCase {
    private func parse(_ json: String) throws -> ImageProcessorConfig {
        try ImageProcessorConfig(json: Data(json.utf8), source: "preprocessor_config.json")
    }

    func testTowerFoldersParseAsTheirProcessorsRead() throws {
        let clip = try ImageProcessorConfig.load(towerDirectory: Fixtures.url("towers/clip_32"), fallback: .siglip())
        XCTAssertEqual(clip, ImageProcessorConfig.clip(side: 32))
        let cropped = try ImageProcessorConfig.load(towerDirectory: Fixtures.url("towers/clip_48_crop_40"), fallback: .siglip())
        XCTAssertEqual(cropped.resize, .shortestEdge(48))
        XCTAssertEqual(cropped.centerCrop, .square(40))
        XCTAssertEqual(cropped.rescaleFactor, 1.0 / 255.0)  // the JSON's 0.00392156862745098, exactly
        let siglip = try ImageProcessorConfig.load(towerDirectory: Fixtures.url("towers/siglip_48"), fallback: .clip())
        XCTAssertEqual(siglip, ImageProcessorConfig.siglip(side: 48))
    }

    func testMissingConfigFallsBack() throws {
        let folder = Fixtures.url("inputs")
        XCTAssertEqual(try ImageProcessorConfig.load(towerDirectory: folder, fallback: .siglip(side: 384)), .siglip(side: 384))
    }

    func testSizeShapesAndFlags() throws {
        XCTAssertEqual(try parse(#"{"size": [20, 30]}"#).resize, .exact(PixelSize(height: 20, width: 30)))
        XCTAssertEqual(try parse(#"{"size": {"height": 9, "width": 9}, "do_center_crop": false}"#).centerCrop, nil)
        // CLIP's class default crop (224) applies when do_center_crop is on without crop_size.
        XCTAssertEqual(try parse(#"{"image_processor_type": "SiglipImageProcessor", "do_center_crop": true}"#).centerCrop, .square(224))
        XCTAssertEqual(try parse(#"{"resample": 2}"#).resample, .bilinear)
        XCTAssertEqual(try parse(#"{"do_rescale": false}"#).rescaleFactor, 1)
        let plain = try parse(#"{"do_normalize": false, "image_mean": 0.3}"#)
        XCTAssertEqual(plain.imageMean, [0, 0, 0])
        XCTAssertEqual(plain.imageStd, [1, 1, 1])
        XCTAssertEqual(try parse(#"{"image_std": 0.25}"#).imageStd, [0.25, 0.25, 0.25])
    }

    func testBadConfigsNameTheProblem() {
        for (json, words) in [
            (#"{"size": {"shortest_edge": 10, "longest_edge": 20}}"#, "longest_edge"),
            (#"{"size": "big"}"#, "size must be"),
            (#"{"crop_size": {"h": 3}}"#, "crop_size needs"),
            (#"{"crop_size": {"shortest_edge": 3}}"#, "crop_size needs"),
            (#"{"do_center_crop": "yes"}"#, "do_center_crop has the wrong type"),
            (#"{"size": [1, 2, 3]}"#, "[height, width]"),
            (#"{"size": {"height": 0, "width": 5}}"#, "positive"),
            (#"{"resample": 9}"#, "resample"),
            (#"{"image_mean": [1, 2]}"#, "image_mean"),
            (#"{"image_std": [1, 0, 1]}"#, "image_std"),
            (#"[1, 2]"#, "not a JSON object"),
        ] {
            XCTAssertThrowsError(try parse(json), json) { error in
                XCTAssertEqual((error as? ImagingError)?.kind, .invalidConfiguration)
                XCTAssertTrue("\(error)".hasPrefix("preprocessor_config.json: "), "\(error)")
                XCTAssertTrue("\(error)".contains(words), "\(error)")
            }
        }
    }

    func testOutputSideOverrideAndSquareness() throws {
        let clip336 = ImageProcessorConfig.clip().withOutputSide(336)
        XCTAssertEqual(clip336, .clip(side: 336))
        XCTAssertEqual(ImageProcessorConfig.siglip().withOutputSide(384), .siglip(side: 384))
        XCTAssertEqual(try ImagePreprocessor(config: clip336, mode: .resize).outputSide, 336)

        var noCrop = ImageProcessorConfig.clip()
        noCrop.centerCrop = nil
        XCTAssertThrowsError(try ImagePreprocessor(config: noCrop, mode: .crop))
        XCTAssertEqual(try ImagePreprocessor(config: noCrop, mode: .pad).outputSide, 224)
        var oblong = ImageProcessorConfig.siglip()
        oblong.resize = .exact(PixelSize(height: 10, width: 20))
        XCTAssertThrowsError(try ImagePreprocessor(config: oblong, mode: .resize)) { error in
            XCTAssertTrue("\(error)".contains("not square"), "\(error)")
        }
    }
}
