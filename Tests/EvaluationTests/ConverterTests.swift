import Foundation
import XCTest
@testable import Evaluation

final class ConverterTests: XCTestCase {
    func testMMEBothFolderLayouts() throws {
        let root = try temporaryFolder(self)
        // Layout 1: images/ and questions_answers_YN/.
        try writeFile("", "artwork/images/a1.jpg", in: root)
        try writeFile("Is this painted by Monet? Please answer yes or no.\tYes\nIs this painted by Goya? Please answer yes or no.\tNo\n",
                      "artwork/questions_answers_YN/a1.txt", in: root)
        // Layout 2: images and question files side by side (CRLF, a question without the instruction).
        try writeFile("", "existence/000.jpg", in: root)
        try writeFile("Is there a dog in this image?\tyes\r\nIs there a cat in this image? Please answer yes or no.\tno\r\n",
                      "existence/000.txt", in: root)
        try writeFile("", "existence/001.png", in: root)
        try writeFile("only a question\n\nIs there a bus? Please answer yes or no.\tMaybe\n", "existence/001.txt", in: root)
        try writeFile("Is there a car? Please answer yes or no.\tYes\n", "existence/002.txt", in: root)
        // Not subtasks: a folder without question files, a loose file.
        try writeFile("print()", "eval_tool/calculation.py", in: root)
        try writeFile("readme", "readme.txt", in: root)

        let set = try MMEConverter.convert(root: root)
        XCTAssertEqual(set.items.map(\.id), ["artwork/a1.jpg#1", "artwork/a1.jpg#2", "existence/000.jpg#1", "existence/000.jpg#2"])
        XCTAssertEqual(set.items[0].images, ["artwork/images/a1.jpg"])
        XCTAssertEqual(set.items[2].images, ["existence/000.jpg"])
        XCTAssertEqual(set.items[2].question, "Is there a dog in this image? Please answer yes or no.")
        XCTAssertEqual(set.items.map(\.answer), ["yes", "no", "yes", "no"])
        XCTAssertEqual(Set(set.items.map { $0.group! }), ["artwork", "existence"])
        XCTAssertTrue(set.items.allSatisfy { $0.type == .yesno })
        XCTAssertEqual(set.skipped.map { "\($0.source):\($0.line) \($0.reason.rawValue)" },
                       ["existence/001.txt:1 malformed_line", "existence/001.txt:3 answer_not_yes_no",
                        "existence/002.txt:1 image_not_found"])

        // The converted set scores as MME: one image fully right, one half right.
        let report = Scorer.report(set: set, answers: ["artwork/a1.jpg#1": "Yes", "artwork/a1.jpg#2": "No",
                                                       "existence/000.jpg#1": "Yes", "existence/000.jpg#2": "Yes"])
        XCTAssertEqual(report.yesno?.mme.subtasks["artwork"]?.score, 200)
        XCTAssertEqual(report.yesno?.mme.subtasks["existence"]?.score, 50)
        XCTAssertEqual(report.yesno?.mme.perception, 250)
        XCTAssertNil(report.yesno?.mme.cognition)
    }

    func testPOPEQuestionFiles() throws {
        let folder = try temporaryFolder(self)
        let adversarial = try writeFile("""
            {"question_id": 1, "image": "COCO_val2014_000000310196.jpg", "text": "Is there a snowboard in the image?", "label": "yes"}
            {"question_id": 2, "image": "COCO_val2014_000000310196.jpg", "text": "Is there a dog in the image?", "label": "no"}
            {"question_id": 3, "image": "COCO_val2014_000000310196.jpg", "text": "Is there a cat in the image?", "label": "maybe"}
            {"question_id": 4, "image": "COCO_val2014_000000310196.jpg", "label": "no"}
            {"question_id": 5, "image":
            """, "coco_pope_adversarial.json", in: folder)
        let random = try writeFile("""
            {"question_id": 1, "image": "COCO_val2014_000000000042.jpg", "text": "Is there a bus in the image?", "label": "no"}
            """, "coco_pope_random.json", in: folder)
        let set = try POPEConverter.convert(files: [adversarial, random])
        XCTAssertEqual(set.items.map(\.id), ["adversarial/1", "adversarial/2", "random/1"])
        XCTAssertEqual(set.items.map { $0.group! }, ["adversarial", "adversarial", "random"])
        XCTAssertEqual(set.items[0].images, ["COCO_val2014_000000310196.jpg"])
        XCTAssertEqual(set.items[0].question, "Is there a snowboard in the image?")
        XCTAssertEqual(set.skipped.map { "\($0.line) \($0.reason.rawValue)" }, ["3 answer_not_yes_no", "4 missing_question", "5 malformed_json"])
        XCTAssertEqual(POPEConverter.category(ofFile: "aokvqa_pope_seem_popular.json"), "popular")
    }

    func testScienceQAProblems() throws {
        let folder = try temporaryFolder(self)
        let problems = try writeFile("""
            {
              "7": {"question": "Which is a mammal?", "choices": ["shark", "whale"], "answer": 1, "hint": "Look at the picture.",
                    "image": "image.png", "split": "test", "subject": "natural science"},
              "8": {"question": "Which word is a noun?", "choices": ["run", "dog", "blue"], "answer": 1, "hint": "",
                    "image": null, "split": "train"},
              "9": {"question": "Pick one.", "choices": ["x", "y"], "answer": 2, "hint": "", "image": null, "split": "test"},
              "10": {"question": "Which is warmer?", "choices": ["ice", "fire"], "answer": 1, "hint": "", "image": null, "split": "test"}
            }
            """, "problems.json", in: folder)
        let set = try ScienceQAConverter.convert(problems: problems)
        XCTAssertEqual(set.items.map(\.id), ["7", "10"])
        XCTAssertEqual(set.items[0].question, "Context: Look at the picture.\nWhich is a mammal?")
        XCTAssertEqual(set.items[0].images, ["test/7/image.png"])
        XCTAssertEqual(set.items[0].answer, "whale")
        XCTAssertEqual(set.items[0].answerIndex, 1)
        XCTAssertEqual(set.items.map { $0.group! }, ["IMG", "NO-IMG"])
        XCTAssertEqual(set.skipped.map { "\($0.id!) \($0.reason.rawValue)" }, ["9 answer_not_in_choices"])
        XCTAssertEqual(try ScienceQAConverter.convert(problems: problems, split: nil).items.count, 3)

        let broken = try writeFile("{\n  \"1\": {\"question\": \"q\",\n  }\n}", "broken.json", in: folder)
        XCTAssertThrowsError(try ScienceQAConverter.convert(problems: broken)) { error in
            XCTAssertTrue("\(error)".contains("line 3, column 3"), "\(error)")
        }
    }
}
