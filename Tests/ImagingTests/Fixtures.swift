import Foundation
import XCTest
@testable import Imaging

/// The fixtures made by Tests/Fixtures/scripts/make_image_fixtures.py, and what its
/// manifest.json says about them.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/images")

    struct Manifest: Decodable {
        struct Decode: Decodable {
            let file: String
            let pillow_mode: String
            let width: Int
            let height: Int
            let reference: String
        }
        struct Preprocess: Decodable {
            let input: String
            let mode: String
            let tower: String
            let side: Int
            let reference: String
            let pixel_values: String?
        }
        struct Resize: Decodable {
            let input: String
            let filter: Int
            let order: String
            let width: Int
            let height: Int
            let reference: String
        }
        struct Failure: Decodable {
            let file: String
            let kind: String
            init(file: String, kind: String) {
                self.file = file
                self.kind = kind
            }
        }
        let decode: [Decode]
        let preprocess: [Preprocess]
        let resize: [Resize]
        let errors: [Failure]
    }

    static let manifest: Manifest = {
        let data = try! Data(contentsOf: url("manifest.json"))
        return try! JSONDecoder().decode(Manifest.self, from: data)
    }()

    static func url(_ relativePath: String) -> URL { folder.appendingPathComponent(relativePath) }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }

    /// A raw little-endian float32 file.
    static func floats(_ relativePath: String) throws -> [Float] {
        let data = try Data(contentsOf: url(relativePath))
        return data.withUnsafeBytes { raw in
            (0..<data.count / 4).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian) }
        }
    }

    /// An input image (an 8-bit RGB PNG, decoded exactly by the tests of the PNG decoder).
    static func image(_ relativePath: String) throws -> RGBImage {
        try RGBImage(contentsOf: url(relativePath))
    }
}

/// Differences between two equally long byte arrays.
struct ByteDifference {
    let maximum: Int
    let mean: Double
    let differing: Int

    init(_ a: [UInt8], _ b: [UInt8]) {
        precondition(a.count == b.count, "comparing \(a.count) with \(b.count) bytes")
        var maximum = 0, total = 0, differing = 0
        for i in 0..<a.count {
            let d = abs(Int(a[i]) - Int(b[i]))
            maximum = max(maximum, d)
            total += d
            if d != 0 { differing += 1 }
        }
        self.maximum = maximum
        self.mean = a.isEmpty ? 0 : Double(total) / Double(a.count)
        self.differing = differing
    }
}
