import XCTest
@testable import Tokenizers

/// Encodes and decodes every golden string of every fixture family and compares with what HF
/// `tokenizers` (encode) and transformers (encode via `tokenizer(text)`, decode) produced.
final class TokenizerGoldenTests: XCTestCase {
    func testGPT2ByteLevelWithLegacyMerges() throws { try assertMatchesGolden("gpt2") }
    func testSmolLMDigitsAndByteLevel() throws { try assertMatchesGolden("smollm") }
    func testLlama3SplitRegexIgnoreMerges() throws { try assertMatchesGolden("llama3") }
    func testQwen2NFCAndEscapedJSON() throws { try assertMatchesGolden("qwen2") }
    func testLlama2LegacySentencePieceStyle() throws { try assertMatchesGolden("llama2-legacy") }
    func testLlama2MetaspaceFirst() throws { try assertMatchesGolden("llama2") }
    func testMiscMetaspaceAddedTokenOptions() throws { try assertMatchesGolden("misc-metaspace") }
    func testMiscSplitBehaviours() throws { try assertMatchesGolden("misc-split") }
    func testMiscPrefixSuffixWhitespace() throws { try assertMatchesGolden("misc-suffix") }

    /// Special token ids follow tokenizer_config.json as transformers reads it.
    func testSpecialTokenIdsMatchTransformers() throws {
        var log = MismatchLog()
        for name in ["gpt2", "smollm", "llama3", "qwen2", "llama2-legacy", "llama2"] {
            let tokenizer = try Fixtures.tokenizer(name)
            let golden = try TokenizerGolden.load(name)
            log.check(tokenizer.bosTokenId, golden.bosTokenId, "\(name) bos")
            log.check(tokenizer.eosTokenId, golden.eosTokenId, "\(name) eos")
            log.check(tokenizer.padTokenId, golden.padTokenId, "\(name) pad")
            log.check(tokenizer.unkTokenId, golden.unkTokenId, "\(name) unk")
        }
        log.assertEmpty("special token ids")
    }
}
