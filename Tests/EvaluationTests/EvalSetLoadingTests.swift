import Foundation
import XCTest
@testable import Evaluation

/// Every kind of bad line is left out with its line and reason; the rest of the set loads.
final class EvalSetLoadingTests: XCTestCase {
    func testEachBadLineIsSkippedWithItsReason() throws {
        let folder = try temporaryFolder(self)
        try writeFile("", "images/cat.png", in: folder)
        let lines = [
            #"{"id":"ok-1","image":"cat.png","question":"Is there a cat?","answer":"Yes","type":"yesno"}"#,
            #"{"id":"bad-json","question":"Is there a cat?" "answer":"yes","type":"yesno"}"#,
            #"["not", "an", "object"]"#,
            #"{"question":"q","answer":"yes","type":"yesno"}"#,
            #"{"id":"no-question","answer":"yes","type":"yesno"}"#,
            #"{"id":"no-answer","question":"q","type":"yesno"}"#,
            #"{"id":"no-type","question":"q","answer":"yes"}"#,
            #"{"id":"odd-type","question":"q","answer":"yes","type":"essay"}"#,
            #"{"id":"not-listed","question":"q","answer":"cow","type":"choice","choices":["cat","dog"]}"#,
            #"{"id":"one-choice","question":"q","answer":"cat","type":"choice","choices":["cat"]}"#,
            #"{"id":"maybe","question":"q","answer":"maybe","type":"yesno"}"#,
            #"{"id":"no-box","question":"q","answer":"somewhere","type":"ground"}"#,
            #"{"id":"pixel-box","question":"q","answer":"[10, 20, 30, 40]","type":"ground"}"#,
            #"{"id":"lost-image","image":"dog.png","question":"q","answer":"yes","type":"yesno"}"#,
            #"{"id":"ok-1","question":"q","answer":"yes","type":"yesno"}"#,
            #"{"id":"number-question","question":5,"answer":"yes","type":"yesno"}"#,
            "",
            #"{"id":7,"question":"How many?","answer":["2","two"],"type":"short","group":"count"}"#,
            #"{"id":"ok-choice","question":"Which?","answer":"dog","type":"choice","choices":["cat","dog"]}"#,
            #"{"id":"ok-box","question":"Where?","answer":"[0.1, 0.2, 0.3, 0.4]","type":"ground"}"#,
        ]
        let url = try writeFile(lines.joined(separator: "\n") + "\n", "set.jsonl", in: folder)
        let set = try EvalSet.load(contentsOf: url, imageFolder: folder.appendingPathComponent("images"))

        XCTAssertEqual(set.items.map(\.id), ["ok-1", "7", "ok-choice", "ok-box"])
        let reasons = set.skipped.map { "\($0.line) \($0.reason.rawValue)" }
        XCTAssertEqual(reasons, [
            "2 malformed_json", "3 not_an_object", "4 missing_id", "5 missing_question", "6 missing_answer",
            "7 missing_type", "8 unknown_type", "9 answer_not_in_choices", "10 missing_choices", "11 answer_not_yes_no",
            "12 answer_has_no_box", "13 answer_has_no_box", "14 image_not_found", "15 duplicate_id", "16 invalid_field",
        ])
        XCTAssertEqual(set.skipped.countsByReason["answer_has_no_box"], 2)
        XCTAssertEqual(set.skipped.countsByReason.values.reduce(0, +), 15)
        XCTAssertEqual(set.skipped[3].id, "no-question")
        XCTAssertEqual(set.items[1].answers, ["2", "two"])
        XCTAssertEqual(set.items[1].group, "count")
        XCTAssertEqual(set.items[2].answerIndex, 1)
        XCTAssertEqual(set.items[3].referenceBox, Box(0.1, 0.2, 0.3, 0.4))
        XCTAssertTrue(set.items[0].expectsYes)
    }

    func testMalformedJSONNamesTheColumn() {
        let text = #"{"id":"a","question":"q","answer":"yes","type":"yesno"}"# + "\n" + #"{"id":"b", "question": tru}"#
        let set = EvalSet(jsonl: Array(text.utf8), source: "set.jsonl")
        XCTAssertEqual(set.skipped.count, 1)
        let problem = set.skipped[0]
        XCTAssertEqual(problem.line, 2)
        XCTAssertEqual(problem.reason, .malformedJSON)
        // The literal "tru" breaks off at the "}" in column 27.
        XCTAssertTrue(problem.detail.hasPrefix("column 27:"), problem.detail)
        XCTAssertTrue(problem.description.hasPrefix("set.jsonl:2: malformed_json: column 27"), problem.description)
    }

    func testLineEndingsByteOrderMarkAndBlankLines() {
        let text = "\u{FEFF}" + #"{"id":"a","question":"q","answer":"no","type":"yesno"}"# + "\r\n\r\n  \n" +
            #"{"id":"b","question":"q","answer":"no","type":"yesno"}"# + "\r\n" + #"{"id":"c""# + "\r\n"
        let set = EvalSet(jsonl: Array(text.utf8))
        XCTAssertEqual(set.items.map(\.id), ["a", "b"])
        XCTAssertEqual(set.skipped.map(\.line), [5])
    }

    func testImagesFromBothFieldsAndAbsolutePaths() throws {
        let folder = try temporaryFolder(self)
        let absolute = try writeFile("", "elsewhere/x.png", in: folder).path
        try writeFile("", "images/a.png", in: folder)
        let line = #"{"id":"m","image":"a.png","images":[""# + absolute + #""],"question":"q","answer":"a b","type":"caption"}"#
        let set = EvalSet(jsonl: Array(line.utf8), imageFolder: folder.appendingPathComponent("images"))
        XCTAssertEqual(set.skipped, [])
        XCTAssertEqual(set.items.first?.images, ["a.png", absolute])
    }

    func testItemsMadeInCodeGetTheSameChecks() {
        let set = EvalSet(items: [
            EvalItem(id: "a", question: "Which?", answers: ["cow"], type: .choice, choices: ["cat", "dog"]),
            EvalItem(id: "b", question: "Which?", answers: ["dog"], type: .choice, choices: ["cat", "dog"]),
            EvalItem(id: "b", question: "Again?", answers: ["yes"], type: .yesno),
            EvalItem(id: "c", question: "Where?", answers: ["[0.5, 0.5, 0.2, 0.9]"], type: .ground),
        ], source: "converter")
        XCTAssertEqual(set.items.map(\.id), ["b"])
        XCTAssertEqual(set.skipped.map { "\($0.source) \($0.id!) \($0.reason.rawValue)" },
                       ["converter a answer_not_in_choices", "converter b duplicate_id", "converter c answer_has_no_box"])
    }

    func testAnUnreadableFileIsTheOnlyError() {
        XCTAssertThrowsError(try EvalSet.load(contentsOf: URL(fileURLWithPath: "/nonexistent/set.jsonl"))) { error in
            guard case EvaluationError.unreadable(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/set.jsonl")
        }
    }

    func testItemsWriteBackToTheSameSet() throws {
        let folder = try temporaryFolder(self)
        let set = try EvalSet.load(contentsOf: Fixtures.url("evalset.jsonl"))
        let copy = folder.appendingPathComponent("copy.jsonl")
        try set.write(to: copy)
        XCTAssertEqual(try EvalSet.load(contentsOf: copy).items, set.items)
        let line = try EvalItem(id: "x", images: ["a.png"], question: "q", answers: ["r1", "r2"], type: .caption).jsonLine()
        XCTAssertEqual(line, #"{"answer":["r1","r2"],"id":"x","image":"a.png","question":"q","type":"caption"}"#)
    }
}
