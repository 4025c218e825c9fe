import XCTest
@testable import Tokenizers

/// Conversation encodings against the fixture script's reimplementation of LLaVA's
/// preprocess_plain / preprocess_v1 (run on transformers tokenizers) and of the llama3 / chatml
/// formats (whose prompts the script checks against the models' own Jinja chat templates).
final class ConversationGoldenTests: XCTestCase {
    struct Golden: Decodable {
        struct Case: Decodable {
            let tokenizer: String
            let template: String
            let name: String
            let conversation: [ConversationTurn]
            let inputIds: [Int32]
            let labels: [Int32]
            /// LLaVA's (cur_len, total_len) when they differ.
            let mismatch: [Int]?
            let prompt: String
            let promptIds: [Int32]

            enum CodingKeys: String, CodingKey {
                case tokenizer, template, name, conversation, labels, mismatch, prompt
                case inputIds = "input_ids", promptIds = "prompt_ids"
            }
        }

        let cases: [Case]
    }

    private func check(template: String) throws {
        let golden = try Fixtures.decode(Golden.self, file: "conversations.golden.json")
        let cases = golden.cases.filter { $0.template == template }
        XCTAssertGreaterThan(cases.count, 10)
        var log = MismatchLog()
        for item in cases {
            let encoder = try ConversationEncoder(tokenizer: try Fixtures.tokenizer(item.tokenizer), template: try ChatTemplate(name: item.template))
            let what = "\(item.tokenizer)/\(item.name)"
            do {
                let sample = try encoder.encode(item.conversation)
                log.check(sample.inputIds, item.inputIds, "\(what) input_ids")
                log.check(sample.labels, item.labels, "\(what) labels")
                log.check(sample.tokenizationMismatch.map { [$0.countedLength, $0.tokenCount] }, item.mismatch, "\(what) mismatch")
                log.check(try encoder.prompt(for: item.conversation).debugEscaped, item.prompt.debugEscaped, "\(what) prompt")
                log.check(try encoder.promptIds(for: item.conversation), item.promptIds, "\(what) prompt ids")
            } catch {
                log.check("\(error)", "no error", what)
            }
        }
        log.assertEmpty(template)
    }

    func testPlainMatchesPreprocessPlain() throws { try check(template: "plain") }
    func testVicunaV1MatchesPreprocessV1() throws { try check(template: "vicuna_v1") }
    func testLlama3MatchesChatTemplate() throws { try check(template: "llama3") }
    func testChatMLMatchesChatTemplate() throws { try check(template: "chatml") }
}
