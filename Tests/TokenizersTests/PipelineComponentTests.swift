import Foundation
import XCTest
@testable import Tokenizers

/// Components checked directly: the hand-written split regexes against ICU, the decoders'
/// edge cases, the merge queue, long SentencePiece-style segments, and thread safety.
final class PipelineComponentTests: XCTestCase {
    /// A small deterministic generator (the tests must not depend on a random seed).
    private struct LCG {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    func testHandWrittenRegexesMatchICU() throws {
        // ICU's \s lacks U+000B and U+0085 (documented in SplitRegex), so they are left out.
        let alphabet: [Unicode.Scalar] = ["a", "Z", "é", "ß", "日", "本", "1", "9", "٣", "Ⅻ", " ", " ", " ", "\t", "\n", "\r",
                                          "\u{3000}", "\u{A0}", "'", "s", "S", "t", "r", "e", "v", "m", "l", "d", "L", "\u{17F}",
                                          ".", ",", "!", "-", "😀", "\u{301}", "\u{200B}", "_", "$"]
        var generator = LCG(state: 42)
        var samples: [[Unicode.Scalar]] = ["Hello world's  end", "it's 'S 'RE 've", "a\n\n  b \n", "  x", "x  ", "12345 678",
                                           "\t\tword", "!!! ???", "a\r\n\r\nb"].map { [Unicode.Scalar]($0) }
        for _ in 0 ..< 400 { samples.append((0 ..< generator.next(24) + 1).map { _ in alphabet[generator.next(alphabet.count)] }) }
        for pattern in [SplitRegex.gpt2Pattern, SplitRegex.llama3Pattern, SplitRegex.qwen2Pattern] {
            let fast = try SplitRegex(pattern: pattern), icu = try SplitRegex(pattern: pattern, forceICU: true)
            if case .icu = fast.engine { XCTFail("well-known pattern not recognised") }
            for sample in samples {
                XCTAssertEqual(fast.matches(in: sample), icu.matches(in: sample), "\(pattern) on \(sample.string.debugEscaped)")
            }
        }
    }

    func testWhitespaceClassFollowsOnigurumaNotICU() throws {
        let llama3 = try SplitRegex(pattern: SplitRegex.llama3Pattern)
        // U+0085 is White_Space for Oniguruma: " \u{85}" stays apart from "y" ...
        XCTAssertEqual(llama3.matches(in: [Unicode.Scalar]("x \u{85} y")), [0 ..< 1, 1 ..< 3, 3 ..< 5])
        // ... while U+200B is not: it joins the letters after it.
        XCTAssertEqual(llama3.matches(in: [Unicode.Scalar]("a\u{200B}b")), [0 ..< 1, 1 ..< 3])
    }

    func testDecoderEdgeCases() {
        XCTAssertEqual(Decoder.byteFallbackValue("<0x0A>"), 10)
        XCTAssertEqual(Decoder.byteFallbackValue("<0xff>"), 255)
        XCTAssertEqual(Decoder.byteFallbackValue("<0x+A>"), 10, "Rust's radix parse accepts a plus sign")
        XCTAssertNil(Decoder.byteFallbackValue("<0xZZ>"))
        XCTAssertNil(Decoder.byteFallbackValue("<0x0A"))
        // An invalid byte run becomes one U+FFFD per byte, a valid one its text.
        XCTAssertEqual(Decoder.byteFallback.decodeChain(["<0xE6>", "<0x97>", "a", "<0xE6>", "<0x97>", "<0xA5>"]),
                       ["\u{FFFD}", "\u{FFFD}", "a", "日"])
        XCTAssertEqual(Decoder.strip(content: " ", start: 1, stop: 1).decodeChain(["  a  ", " ", ""]), [" a ", "", ""])
        XCTAssertEqual(Decoder.metaspace(replacement: "▁", prependScheme: .always).decodeChain(["▁a▁b", "▁c"]), ["ab", " c"])
        XCTAssertEqual(Decoder.metaspace(replacement: "▁", prependScheme: .never).decodeChain(["▁a"]), [" a"])
        XCTAssertEqual(Decoder.byteLevel.decodeChain(["Ġhi", "Ċ", "日"]), [" hi\n日"], "non-alphabet tokens kept as text")
        XCTAssertEqual(Decoder.byteLevel.decodeChain(["æ", "Ĺ"]), ["\u{FFFD}"], "lossy UTF-8 like from_utf8_lossy")
        XCTAssertEqual(Tokenizer.cleanUpTokenization("a , b . c 's d n't"), "a, b. c's dn't")
    }

    func testMergeQueuePopsByRankThenPosition() {
        var queue = MergeQueue()
        for (rank, position) in [(3, 0), (1, 5), (1, 2), (2, 1), (1, 9)] {
            queue.push(MergeQueue.Entry(rank: Int32(rank), position: Int32(position), newId: 0))
        }
        var order: [[Int32]] = []
        while let entry = queue.pop() { order.append([entry.rank, entry.position]) }
        XCTAssertEqual(order, [[1, 2], [1, 5], [1, 9], [2, 1], [3, 0]])
    }

    func testLongSentencePieceSegmentIsFastAndLossless() throws {
        let tokenizer = try Fixtures.tokenizer("llama2-legacy")
        // Legacy Llama 2 has no pre-tokenizer: all of this is one BPE word.
        let text = String(repeating: "The quick brown fox jumps over the lazy dog; 日本語 😀 ", count: 400)
        let start = Date()
        let ids = tokenizer.encode(text, addSpecialTokens: false)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2.0)
        XCTAssertLessThan(ids.count, text.unicodeScalars.count)
        XCTAssertEqual(tokenizer.decode(ids), text)
    }

    func testConcurrentEncodingGivesTheSameIds() throws {
        let tokenizer = try Fixtures.tokenizer("llama3")
        let texts = (0 ..< 64).map { "Sample \($0): the cat sat on mat number \($0 * 37) — café ☕️ \($0 % 7)" }
        let expected = texts.map { tokenizer.encode($0) }
        let results = UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: texts.count)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: texts.count) { results[$0] = tokenizer.encode(texts[$0]) }
        XCTAssertEqual(Array(results), expected)
    }
}
