import Foundation
import XCTest
@testable import Imaging

/// Reports how long the per-sample work takes (printed, loosely bounded: the machine is
/// shared, so the bound only catches order-of-magnitude regressions). Each figure is the
/// best of several runs, the least disturbed by other processes.
final class SpeedTests: XCTestCase {
    private func milliseconds(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0...repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return best
    }

    func testDecodeAndPreprocessA500x375JPEG() throws {
        let source = try Fixtures.image("inputs/input_120x90.png").resized(width: 500, height: 375)
        let jpeg = try source.jpegData(quality: 90)
        let pad = try ImagePreprocessor(config: .clip(side: 336), mode: .pad)
        let crop = try ImagePreprocessor(config: .clip(side: 336), mode: .crop)
        let resize = try ImagePreprocessor(config: .siglip(side: 384), mode: .resize)

        var decoded = try RGBImage(decoding: jpeg)
        let decode = try milliseconds(repeats: 20) { decoded = try RGBImage(decoding: jpeg) }
        var square = pad.preprocess(decoded)
        let padTime = milliseconds(repeats: 20) { square = pad.preprocess(decoded) }
        let cropTime = milliseconds(repeats: 20) { _ = crop.preprocess(decoded) }
        let resizeTime = milliseconds(repeats: 20) { _ = resize.preprocess(decoded) }
        var values: [Float] = []
        let normalise = milliseconds(repeats: 50) { values = pad.normalizer.normalize(square) }
        XCTAssertEqual(values.count, 3 * 336 * 336)
        print(String(format: "speed 500x375: decode JPEG %.2f ms; pad->336 %.2f ms; crop->336 %.2f ms; resize->384 %.2f ms; normalise 336 %.2f ms",
                     decode, padTime, cropTime, resizeTime, normalise))
        XCTAssertLessThan(decode + padTime + normalise, 100)
    }
}
