import Foundation
import XCTest
@testable import Tokenizers

/// The rules around the golden encodings: which conversations are refused and why, prompt
/// options, and the small Python-compatible helpers the templates use.
final class ConversationEncoderTests: XCTestCase {
    private func turns(_ pairs: [(String, String)]) -> [ConversationTurn] {
        pairs.map { ConversationTurn(from: $0.0, value: $0.1) }
    }

    private func issue(_ encoder: ConversationEncoder, _ conversation: [ConversationTurn]) -> ConversationIssue? {
        do {
            _ = try encoder.encode(conversation)
            return nil
        } catch {
            return error
        }
    }

    func testConversationsThatCannotBeEncodedReportAReason() throws {
        let encoder = try ConversationEncoder(tokenizer: try Fixtures.tokenizer("llama2-legacy"), template: .vicunaV1)
        XCTAssertEqual(issue(encoder, turns([("human", "<image>\nHi")])), .noAssistantTurn)
        XCTAssertEqual(issue(encoder, []), .noAssistantTurn)
        XCTAssertEqual(issue(encoder, turns([("human", "a"), ("human", "b"), ("gpt", "c")])), .turnsDoNotAlternate(turn: 1))
        XCTAssertEqual(issue(encoder, turns([("system", "s"), ("human", "a"), ("gpt", "b"), ("gpt", "c")])),
                       .turnsDoNotAlternate(turn: 3))
        XCTAssertEqual(issue(encoder, turns([("human", "a"), ("bot", "b")])), .unknownRole("bot", turn: 1))
        XCTAssertEqual(ConversationIssue.noAssistantTurn.reason, "no_assistant_turn")
        XCTAssertEqual(ConversationIssue.turnsDoNotAlternate(turn: 2).reason, "turns_do_not_alternate")
        XCTAssertEqual(ConversationIssue.turnsDoNotAlternate(turn: 2).description, "turns do not alternate between human and gpt at turn 2")

        let plain = try ConversationEncoder(tokenizer: try Fixtures.tokenizer("llama2-legacy"), template: .plain)
        XCTAssertEqual(issue(plain, turns([("human", "no image"), ("gpt", "caption")])), .plainNeedsImageAndCaption)
        XCTAssertEqual(issue(plain, turns([("human", "<image>"), ("gpt", "a"), ("human", "b"), ("gpt", "c")])), .plainNeedsImageAndCaption)
        XCTAssertNil(issue(plain, turns([("system", "ignored"), ("human", "<image>"), ("gpt", "a caption")])))
    }

    func testLeadingAssistantTurnIsDroppedLikeLLaVA() throws {
        let encoder = try ConversationEncoder(tokenizer: try Fixtures.tokenizer("qwen2"), template: .chatml)
        let withGreeting = try encoder.encode(turns([("gpt", "Hello!"), ("human", "<image>\nQ?"), ("gpt", "A.")]))
        let without = try encoder.encode(turns([("human", "<image>\nQ?"), ("gpt", "A.")]))
        XCTAssertEqual(withGreeting, without)
        XCTAssertEqual(without.imageCount, 1)
        XCTAssertEqual(without.videoCount, 0)
    }

    func testTemplateNeedsItsTokens() throws {
        XCTAssertThrowsError(try ConversationEncoder(tokenizer: try Fixtures.tokenizer("gpt2"), template: .llama3)) { error in
            XCTAssertEqual(error as? ChatTemplateError, .missingToken(template: "llama3", token: "<|begin_of_text|>"))
        }
        XCTAssertThrowsError(try ChatTemplate(name: "vicuna")) { error in
            XCTAssertEqual("\(error)", #"unknown chat template "vicuna" (known: plain, vicuna_v1, llama3, chatml)"#)
        }
        XCTAssertEqual(try ChatTemplate(name: "vicuna_v1"), .vicunaV1)
    }

    func testPromptsEndWithTheAssistantHeader() throws {
        let question = turns([("human", "<image>\nWhat is it?")])
        let chatml = try ConversationEncoder(tokenizer: try Fixtures.tokenizer("qwen2"), template: .chatml, systemPrompt: "Be brief.")
        XCTAssertEqual(try chatml.prompt(for: question),
                       "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n<image>\nWhat is it?<|im_end|>\n<|im_start|>assistant\n")
        let vicuna = try ConversationEncoder(tokenizer: try Fixtures.tokenizer("llama2"), template: .vicunaV1)
        XCTAssertTrue(try vicuna.prompt(for: question).hasSuffix(" USER: <image>\nWhat is it? ASSISTANT:"))
        let llama3 = try ConversationEncoder(tokenizer: try Fixtures.tokenizer("llama3"), template: .llama3)
        let text = try llama3.prompt(for: question + turns([("gpt", "reference answer")]))
        XCTAssertTrue(text.hasPrefix("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful language"))
        XCTAssertTrue(text.hasSuffix("What is it?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"), "answer left out")
        let ids = try llama3.promptIds(for: question)
        XCTAssertEqual(ids.first, try Fixtures.tokenizer("llama3").bosTokenId)
        XCTAssertEqual(ids.filter { $0 == LLaVAToken.image }.count, 1)
        // The training sample starts with exactly the prompt's tokens.
        let sample = try llama3.encode(question + turns([("gpt", "A cat.")]))
        XCTAssertEqual(Array(sample.inputIds.prefix(ids.count)), ids)
        XCTAssertThrowsError(try llama3.prompt(for: [])) { XCTAssertEqual($0 as? ConversationIssue, .empty) }
    }

    func testLabelsTrainOnlyAnswersAndEndTokens() throws {
        let tokenizer = try Fixtures.tokenizer("qwen2")
        let encoder = try ConversationEncoder(tokenizer: tokenizer, template: .chatml)
        let sample = try encoder.encode(turns([("human", "<image>\nQ"), ("gpt", "Yes"), ("human", "Sure?"), ("gpt", "No")]))
        XCTAssertEqual(sample.inputIds.count, sample.labels.count)
        let trained = sample.labels.filter { $0 != LLaVAToken.ignoreIndex }
        XCTAssertEqual(tokenizer.decode(trained), "Yes<|im_end|>No<|im_end|>")
        XCTAssertEqual(sample.trainedCount, trained.count)
        XCTAssertNil(sample.tokenizationMismatch)
    }

    func testParsingConversations() throws {
        let array = #"[{"from": "human", "value": "<image>\nHi"}, {"from": "gpt", "value": "Hello"}]"#
        XCTAssertEqual(try ConversationTurn.parseList(Data(array.utf8), source: "c.json"),
                       turns([("human", "<image>\nHi"), ("gpt", "Hello")]))
        let sample = #"{"id": "1", "image": "a.png", "conversations": \#(array)}"#
        XCTAssertEqual(try ConversationTurn.parseList(Data(sample.utf8), source: "c.json").count, 2)
        XCTAssertThrowsError(try ConversationTurn.parseList(Data(#"[{"from": "human"}]"#.utf8), source: "c.json")) { error in
            XCTAssertEqual("\(error)", "missing key (key (root)[0].value): c.json")
        }
    }

    func testSingleImageTagMovesToTheFront() {
        XCTAssertEqual(PreparedConversation.movingSingleImageToFront("Look at this <image> and describe it."),
                       "<image>\nLook at this  and describe it.")
        XCTAssertEqual(PreparedConversation.movingSingleImageToFront("  <image>  "), "<image>")
        XCTAssertEqual(PreparedConversation.movingSingleImageToFront("<image>\n<image>\nTwo"), "<image>\n<image>\nTwo")
        XCTAssertEqual(PreparedConversation.movingSingleImageToFront("no tag \u{1C}"), "no tag \u{1C}")
    }

    func testPythonCompatibleHelpers() {
        XCTAssertEqual(pythonSliceRange(-2, nil, count: 5), 3 ..< 5)
        XCTAssertEqual(pythonSliceRange(3, 1, count: 5), 3 ..< 3)
        XCTAssertEqual(pythonSliceRange(0, 100, count: 5), 0 ..< 5)
        XCTAssertEqual(pythonSliceRange(-9, -1, count: 5), 0 ..< 4)
        XCTAssertEqual(pythonSplit("a</s>b</s>", separator: "</s>"), ["a", "b", ""])
        XCTAssertEqual(pythonStrip("\u{1C} x \u{3000}"), "x")
        let (chunks, tags) = Tokenizer.splitMedia("a<image>b<video><image><imag")
        XCTAssertEqual(chunks, ["a", "b", "", "<imag"])
        XCTAssertEqual(tags, [LLaVAToken.image, LLaVAToken.video, LLaVAToken.image])
        // Tags are found scalar by scalar, even next to combining marks.
        XCTAssertEqual(Tokenizer.splitMedia("<image>\u{301}").chunks, ["", "\u{301}"])
    }
}
