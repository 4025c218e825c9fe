import XCTest
@testable import Evaluation

final class PromptTests: XCTestCase {
    func testLLaVA15Prompts() {
        let choice = EvalItem(id: "c", question: "Which animal?", answers: ["dog"], type: .choice, choices: ["cat", "dog", "cow"])
        XCTAssertEqual(Prompts.text(for: choice),
                       "Which animal?\nA. cat\nB. dog\nC. cow\nAnswer with the option's letter from the given choices directly.")
        let short = EvalItem(id: "s", question: "What color is the car?", answers: ["red"], type: .short)
        XCTAssertEqual(Prompts.text(for: short), "What color is the car?\nAnswer the question using a single word or phrase.")
        // MME's instruction (after one or two spaces) gives way to the short-answer one, as in llava_mme.jsonl.
        let mme = EvalItem(id: "m", question: "Is there a dog in this image?  Please answer yes or no.", answers: ["yes"], type: .yesno)
        XCTAssertEqual(Prompts.text(for: mme), "Is there a dog in this image?\nAnswer the question using a single word or phrase.")
        let pope = EvalItem(id: "p", question: "Is there a snowboard in the image?", answers: ["no"], type: .yesno)
        XCTAssertEqual(Prompts.text(for: pope), "Is there a snowboard in the image?\nAnswer the question using a single word or phrase.")
        let caption = EvalItem(id: "k", question: "Describe the image briefly.", answers: ["a dog"], type: .caption)
        XCTAssertEqual(Prompts.text(for: caption), "Describe the image briefly.")
    }

    func testBenchmarkPromptsKeepYesNoQuestionsAsTheyAre() {
        let mme = EvalItem(id: "m", question: "Is there a dog? Please answer yes or no.", answers: ["yes"], type: .yesno)
        XCTAssertEqual(Prompts.text(for: mme, style: .benchmark), "Is there a dog? Please answer yes or no.")
        let pope = EvalItem(id: "p", question: "Is there a snowboard in the image?", answers: ["no"], type: .yesno)
        XCTAssertEqual(Prompts.text(for: pope, style: .benchmark), "Is there a snowboard in the image?")
        XCTAssertEqual(Prompts.withYesNoInstruction("Is there a dog?"), "Is there a dog? Please answer yes or no.")
    }
}
