import Foundation
import XCTest
@testable import Tokenizers

/// The golden files written by Tests/Fixtures/scripts/make_tokenizer_fixtures.py.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizers")

    /// Every tokenizer folder the script builds (swift-trained is written by BPETrainerTests).
    static let families = ["gpt2", "smollm", "llama3", "qwen2", "llama2-legacy", "llama2",
                           "misc-metaspace", "misc-split", "misc-suffix"]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: [String: Tokenizer] = [:]

    /// The tokenizer of a fixture folder, loaded once per test run.
    static func tokenizer(_ name: String) throws -> Tokenizer {
        lock.lock()
        defer { lock.unlock() }
        if let tokenizer = loaded[name] { return tokenizer }
        let tokenizer = try Tokenizer(folder: directory.appendingPathComponent(name))
        loaded[name] = tokenizer
        return tokenizer
    }

    static func decode<T: Decodable>(_ type: T.Type, file: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: directory.appendingPathComponent(file)))
    }
}

/// `<name>.golden.json`.
struct TokenizerGolden: Decodable {
    struct Encoding: Decodable {
        let text: String
        let ids: [Int32]
        let idsNoSpecial: [Int32]
        let transformersIds: [Int32]
        let decoded: String
        let decodedSkipSpecial: String
        let tokenizersDecoded: String?

        enum CodingKeys: String, CodingKey {
            case text, ids, decoded
            case idsNoSpecial = "ids_no_special", transformersIds = "transformers_ids"
            case decodedSkipSpecial = "decoded_skip_special", tokenizersDecoded = "tokenizers_decoded"
        }
    }

    struct Decoding: Decodable {
        let ids: [Int32]
        let skipSpecial: Bool
        let text: String
        let tokenizersText: String?

        enum CodingKeys: String, CodingKey {
            case ids, text
            case skipSpecial = "skip_special", tokenizersText = "tokenizers_text"
        }
    }

    struct Lookup: Decodable {
        let id: Int32
        let token: String?
    }

    let tokenizer: String
    let sha256: String
    let vocabSize: Int
    let bosTokenId: Int32?
    let eosTokenId: Int32?
    let padTokenId: Int32?
    let unkTokenId: Int32?
    let encode: [Encoding]
    let decode: [Decoding]
    let lookups: [Lookup]

    enum CodingKeys: String, CodingKey {
        case tokenizer, sha256, encode, decode, lookups
        case vocabSize = "vocab_size", bosTokenId = "bos_token_id", eosTokenId = "eos_token_id"
        case padTokenId = "pad_token_id", unkTokenId = "unk_token_id"
    }

    static func load(_ name: String) throws -> TokenizerGolden {
        try Fixtures.decode(TokenizerGolden.self, file: "\(name).golden.json")
    }
}

/// Collects mismatches so one failing family reports all its differences at once.
struct MismatchLog {
    private(set) var lines: [String] = []
    let limit = 25

    mutating func check<T: Equatable>(_ actual: T, _ expected: T, _ what: @autoclosure () -> String) {
        guard actual != expected else { return }
        if lines.count < limit { lines.append("\(what()): got \(actual), expected \(expected)") }
        else if lines.count == limit { lines.append("...") }
    }

    func assertEmpty(_ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssert(lines.isEmpty, "\(context):\n" + lines.joined(separator: "\n"), file: file, line: line)
    }
}

extension String {
    /// Escapes control and non-ASCII characters, for readable failure messages.
    var debugEscaped: String { String(reflecting: self) }
}

/// Checks a fixture tokenizer against its `<name>.golden.json` (all differences in one failure).
func assertMatchesGolden(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let tokenizer = try Fixtures.tokenizer(name)
    let golden = try TokenizerGolden.load(name)
    var log = MismatchLog()
    log.check(tokenizer.sha256, golden.sha256, "sha256")
    log.check(tokenizer.vocabSize, golden.vocabSize, "vocab size")
    for entry in golden.encode {
        let text = entry.text.debugEscaped
        log.check(tokenizer.encode(entry.text), entry.ids, "encode \(text)")
        log.check(tokenizer.encode(entry.text, addSpecialTokens: false), entry.idsNoSpecial, "encode no-special \(text)")
        log.check(tokenizer.encode(entry.text), entry.transformersIds, "transformers tokenizer(text) \(text)")
        log.check(tokenizer.decode(entry.ids).debugEscaped, entry.decoded.debugEscaped, "decode \(entry.ids)")
        log.check(tokenizer.decode(entry.ids, skipSpecialTokens: true).debugEscaped, entry.decodedSkipSpecial.debugEscaped,
                  "decode skip-special \(entry.ids)")
        if let raw = entry.tokenizersDecoded {
            log.check(tokenizer.decode(entry.ids, cleanUpTokenizationSpaces: false).debugEscaped, raw.debugEscaped,
                      "tokenizers decode \(entry.ids)")
        }
    }
    for entry in golden.decode {
        log.check(tokenizer.decode(entry.ids, skipSpecialTokens: entry.skipSpecial).debugEscaped, entry.text.debugEscaped,
                  "decode \(entry.ids) skip=\(entry.skipSpecial)")
        if let raw = entry.tokenizersText {
            log.check(tokenizer.decode(entry.ids, skipSpecialTokens: entry.skipSpecial, cleanUpTokenizationSpaces: false).debugEscaped,
                      raw.debugEscaped, "tokenizers decode \(entry.ids)")
        }
    }
    for lookup in golden.lookups {
        log.check(tokenizer.token(for: lookup.id), lookup.token, "token(for: \(lookup.id))")
    }
    log.assertEmpty(name, file: file, line: line)
}
