import Foundation
import XCTest
@testable import Tokenizers

/// The demo BPE trainer. Its output on Fixtures/tokenizers/corpus.json is committed as
/// swift-trained/tokenizer.json, and the fixture script recorded how HF `tokenizers` and
/// transformers encode and decode with it (swift-trained.golden.json).
///
/// To regenerate: `VLMTUNE_WRITE_FIXTURES=1 swift test ... --filter BPETrainerTests`, then run
/// Tests/Fixtures/scripts/make_tokenizer_fixtures.py again.
final class BPETrainerTests: XCTestCase {
    struct Corpus: Decodable {
        let texts: [String]
        let vocabSize: Int
        let specialTokens: [String]

        enum CodingKeys: String, CodingKey {
            case texts
            case vocabSize = "vocab_size", specialTokens = "special_tokens"
        }
    }

    private func trainOnCorpus() throws -> (Corpus, Data) {
        let corpus = try Fixtures.decode(Corpus.self, file: "corpus.json")
        return (corpus, BPETrainer.train(texts: corpus.texts, vocabSize: corpus.vocabSize, specialTokens: corpus.specialTokens))
    }

    func testTrainingIsDeterministicAndMatchesCommittedFile() throws {
        let (corpus, data) = try trainOnCorpus()
        let url = Fixtures.directory.appendingPathComponent("swift-trained/tokenizer.json")
        if ProcessInfo.processInfo.environment["VLMTUNE_WRITE_FIXTURES"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
            return
        }
        XCTAssertEqual(data, try Data(contentsOf: url), "trainer output changed; regenerate the swift-trained fixture")
        XCTAssertEqual(BPETrainer.train(texts: corpus.texts, vocabSize: corpus.vocabSize, specialTokens: corpus.specialTokens), data)
    }

    func testHFEncodesTheTrainedTokenizerLikeVlmtune() throws {
        try assertMatchesGolden("swift-trained")
    }

    func testTrainedVocabularyLayoutAndRoundTrip() throws {
        let (corpus, data) = try trainOnCorpus()
        let tokenizer = try Tokenizer(tokenizerJSON: data)
        XCTAssertEqual(tokenizer.vocabSize, corpus.vocabSize)
        XCTAssertEqual(tokenizer.tokenId(for: "<|endoftext|>"), 0)
        XCTAssertEqual(tokenizer.tokenId(for: "<|pad|>"), 1)
        XCTAssertEqual(tokenizer.tokenId(for: "Ġ"), 2 + 32)  // byte 0x20 follows the specials
        XCTAssertEqual(tokenizer.bosTokenId, 0)
        var byteCount = 0, tokenCount = 0
        for text in corpus.texts {
            let ids = tokenizer.encode(text)
            XCTAssertEqual(ids.first, 0, "BOS first")
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), text, "lossless round trip")
            byteCount += text.utf8.count
            tokenCount += ids.count - 1
        }
        XCTAssertLessThan(Double(tokenCount), 0.6 * Double(byteCount), "merges compress the training text")
    }

    func testTinyVocabularyKeepsOnlyBytesAndStillEncodesAnything() throws {
        let data = BPETrainer.train(texts: ["aaaa bbbb"], vocabSize: 10, specialTokens: [])
        let tokenizer = try Tokenizer(tokenizerJSON: data)
        XCTAssertEqual(tokenizer.vocabSize, 256)
        XCTAssertNil(tokenizer.bosTokenId)
        let text = "émoji 😀 and 日本"
        XCTAssertEqual(tokenizer.encode(text).count, text.utf8.count)
        XCTAssertEqual(tokenizer.decode(tokenizer.encode(text)), text)
    }

    func testPairCounterMergesLeftToRightAndBreaksTiesBySmallerIds() {
        var counter = PairCounter(words: [([1, 1, 1], 1), ([2, 3], 1), ([3, 2], 1)])
        // (1,1) occurs twice in "111" (overlapping); (2,3) and (3,2) once each.
        XCTAssertEqual(counter.mostFrequentPair()?.0, PairCounter.Pair(left: 1, right: 1))
        counter.merge(PairCounter.Pair(left: 1, right: 1), into: 9)
        // "111" became [9, 1]: every pair now occurs once; the smallest ids win the tie.
        XCTAssertEqual(counter.mostFrequentPair()?.0, PairCounter.Pair(left: 2, right: 3))
        XCTAssertEqual(counter.mostFrequentPair()?.1, 1)
    }
}
