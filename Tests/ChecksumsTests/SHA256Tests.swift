import XCTest
@testable import Checksums

/// FIPS 180-4 / NIST example vectors, plus piecewise feeding.
final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        let vectors: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ]
        for (message, expected) in vectors {
            XCTAssertEqual(SHA256.hash(Array(message.utf8)).hexadecimal, expected, "message \"\(message)\"")
        }
    }

    func testOneMillionAs() {
        var hasher = SHA256()
        let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(thousand) }
        XCTAssertEqual(hasher.finalize().hexadecimal, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every split point of a 200-byte message (across block and padding boundaries)
    /// gives the one-shot digest.
    func testPiecewiseFeedingMatchesOneShot() {
        // A fixed pseudo-random message (a linear congruential sequence).
        var x: UInt32 = 7
        let message = (0..<200).map { _ -> UInt8 in
            x = x &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: x >> 24)
        }
        let expected = SHA256.hash(message)
        for split in 0...message.count {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            XCTAssertEqual(hasher.finalize(), expected, "split at \(split)")
        }
        // Lengths 55/56/63/64 put the length field on either side of a block boundary.
        XCTAssertEqual(SHA256.hash([UInt8](repeating: 0x61, count: 55)).hexadecimal,
                       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(SHA256.hash([UInt8](repeating: 0x61, count: 64)).hexadecimal,
                       "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    func testOneMillionAsAndPaddingBoundaries() {
        XCTAssertEqual(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hexadecimal,
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // 55 bytes fit the length in the same block, 56 need a second; 64 is exactly one block.
        XCTAssertEqual(SHA256.hash([UInt8](repeating: 0x61, count: 55)).hexadecimal,
                       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(SHA256.hash([UInt8](repeating: 0x61, count: 56)).hexadecimal,
                       "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        XCTAssertEqual(SHA256.hash([UInt8](repeating: 0x61, count: 64)).hexadecimal,
                       "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }
}
