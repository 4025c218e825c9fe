import Foundation
import XCTest
@testable import Tokenizers

/// Bad inputs give one-line errors naming the file and the position or JSON key; never a crash.
final class TokenizerLoadingErrorTests: XCTestCase {
    private let minimalModel = #"{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}"#

    private func loadError(_ json: String, source: String = "/m/tokenizer.json") -> TokenizerError? {
        do {
            _ = try Tokenizer(tokenizerJSON: Data(json.utf8), source: source)
            return nil
        } catch let error as TokenizerError {
            return error
        } catch {
            XCTFail("unexpected error type: \(error)")
            return nil
        }
    }

    func testMissingTokenizerJSONNamesThePath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-no-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertThrowsError(try Tokenizer(folder: folder)) { error in
            XCTAssertEqual(error as? TokenizerError, .missingFile(path: folder.appendingPathComponent("tokenizer.json").path))
            XCTAssertEqual("\(error)", "file not found: \(folder.path)/tokenizer.json")
        }
    }

    func testMalformedJSONNamesLineAndColumn() {
        let error = loadError("{\n  \"model\": {\"type\": \"BPE\",\n    \"vocab\": {\"a\": 0,}\n}")
        XCTAssertEqual(error, .malformedJSON(path: "/m/tokenizer.json", line: 3, column: 22, reason: "expected a string key"))
        XCTAssertEqual(error?.description, "malformed JSON at line 3, column 22 (expected a string key): /m/tokenizer.json")
        XCTAssertFalse(error?.description.contains("\n") ?? true)
    }

    func testTruncatedAndOddJSON() {
        for (text, reason) in [("", "unexpected end of data"), ("{\"a\": \"b", "unterminated string"),
                               ("[1, 2] x", "unexpected text after the JSON value"), ("{\"a\": 01}", "leading zero in a number"),
                               ("{\"a\": tru}", "invalid literal, expected true"), ("\"\\q\"", "invalid escape '\\q'")] {
            guard case .malformedJSON(_, _, _, let got)? = loadError(text) else { return XCTFail("no JSON error for \(text)") }
            XCTAssertEqual(got, reason, text)
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        guard case .malformedJSON(_, _, _, let reason)? = loadError(deep) else { return XCTFail("deep nesting accepted") }
        XCTAssertEqual(reason, "nesting deeper than 512 levels")
    }

    func testUnknownModelTypeNamesTheKey() {
        let error = loadError(#"{"model": {"type": "Unigram", "vocab": []}}"#)
        XCTAssertEqual(error, .unsupported(path: "/m/tokenizer.json", keyPath: "model.type", component: "model", type: "Unigram"))
        XCTAssertEqual(error?.description, #"unsupported model type "Unigram" (key model.type): /m/tokenizer.json"#)
    }

    func testUnsupportedComponentNamesItsPath() {
        let json = #"{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"}, {"type": "UnicodeScripts"}]}, "model": \#(minimalModel)}"#
        XCTAssertEqual(loadError(json)?.description,
                       #"unsupported pre_tokenizer type "UnicodeScripts" (key pre_tokenizer.pretokenizers[1].type): /m/tokenizer.json"#)
        let decoder = #"{"decoder": {"type": "WordPiece"}, "model": \#(minimalModel)}"#
        XCTAssertEqual(loadError(decoder), .unsupported(path: "/m/tokenizer.json", keyPath: "decoder.type", component: "decoder", type: "WordPiece"))
    }

    func testWrongValueTypesAndMissingKeys() {
        XCTAssertEqual(loadError(#"{"normalizer": null}"#)?.description, "missing key (key model): /m/tokenizer.json")
        XCTAssertEqual(loadError(#"{"model": {"type": "BPE", "vocab": {"a": "zero"}, "merges": []}}"#)?.description,
                       "expected an integer, found a string (key model.vocab.a): /m/tokenizer.json")
        XCTAssertEqual(loadError(#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}}"#)?.description,
                       #"merge uses token "b" that is not in the vocabulary (key model.merges[0]): /m/tokenizer.json"#)
        XCTAssertEqual(loadError(#"{"model": {"type": "BPE", "vocab": {}, "merges": ["a b c"]}}"#)?.description,
                       #"expected a merge "left right" (key model.merges[0]): /m/tokenizer.json"#)
        XCTAssertEqual(loadError(#"{"model": {"type": "BPE", "vocab": {}, "merges": [], "dropout": 0.1}}"#)?.description,
                       "BPE dropout is not supported (it makes encoding random) (key model.dropout): /m/tokenizer.json")
        XCTAssertEqual(loadError(#"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false}, "model": \#(minimalModel)}"#)?.description,
                       "regular expression not supported by this implementation (key pre_tokenizer.pattern.Regex): /m/tokenizer.json")
        XCTAssertEqual(loadError("[1, 2]")?.description, "expected a JSON object (key (root)): /m/tokenizer.json")
        XCTAssertEqual(loadError(#"{"model": {"type": "BPE", "vocab": {"a": 4294967296}, "merges": []}}"#)?.description,
                       "token id out of range (key model.vocab.a): /m/tokenizer.json")
        XCTAssertEqual(loadError(#"{"post_processor": {"type": "BertProcessing", "sep": ["</s>", -2], "cls": ["<s>", 0]}, "model": \#(minimalModel)}"#)?.description,
                       "token id out of range (key post_processor.sep[1]): /m/tokenizer.json")
    }

    func testBadTokenizerConfigNamesItsFile() {
        XCTAssertThrowsError(try Tokenizer(tokenizerJSON: Data(#"{"model": \#(minimalModel)}"#.utf8),
                                           config: Data(#"{"bos_token": 5}"#.utf8), configSource: "/m/tokenizer_config.json")) { error in
            XCTAssertEqual("\(error)", #"expected a token string or an object with "content" (key bos_token): /m/tokenizer_config.json"#)
        }
    }

    func testLoadingFromTheTokenizerFilePathReadsTheConfigNextToIt() throws {
        let folder = Fixtures.directory.appendingPathComponent("llama3")
        let fromFile = try Tokenizer(folder: folder.appendingPathComponent("tokenizer.json"))
        let fromFolder = try Tokenizer(folder: folder)
        XCTAssertEqual(fromFile.sha256, fromFolder.sha256)
        XCTAssertEqual(fromFile.config, fromFolder.config)
        XCTAssertEqual(fromFile.eosTokenId, fromFolder.tokenId(for: "<|eot_id|>"))
        XCTAssertEqual(fromFolder.idUpperBound, fromFolder.vocabSize)
    }

    func testMinimalTokenizerLoadsAndMerges() throws {
        let tokenizer = try Tokenizer(tokenizerJSON: Data(#"{"model": \#(minimalModel)}"#.utf8))
        XCTAssertEqual(tokenizer.encode("abab"), [2, 2])
        XCTAssertEqual(tokenizer.encode("ba"), [1, 0])
        XCTAssertEqual(tokenizer.encode("xa"), [0], "unknown characters without unk_token are dropped")
        XCTAssertEqual(tokenizer.decode([2, 0, 99]), "ab a", "no decoder: tokens joined by spaces, unknown ids dropped")
        XCTAssertEqual(tokenizer.vocabSize, 3)
        XCTAssertNil(tokenizer.bosTokenId)
        XCTAssertTrue(tokenizer.legacy)
    }
}
