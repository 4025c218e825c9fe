import Foundation
import XCTest
@testable import Evaluation

final class OutputTests: XCTestCase {
    func testRunFilesRoundTrip() throws {
        let folder = try temporaryFolder(self)
        let set = try EvalSet.load(contentsOf: Fixtures.url("evalset.jsonl"))
        var answers = try Fixtures.decode([String: String].self, "answers.json")
        answers["sqa-0"] = nil  // one item without an answer
        let report = try EvaluationOutputs.write(set: set, answers: answers, modelID: "step-0000100", to: folder)
        XCTAssertEqual(report.counts.unanswered, 1)
        XCTAssertEqual(report.choice?.overall.count, 29)

        let records = try AnswersFile.read(contentsOf: folder.appendingPathComponent("answers.jsonl"))
        XCTAssertEqual(records.count, 172)
        let first = records[0]
        XCTAssertEqual(first.questionID, set.items[0].id)
        XCTAssertEqual(first.text, answers[first.questionID])
        XCTAssertEqual(first.modelID, "step-0000100")
        XCTAssertEqual(first.type, .yesno)
        XCTAssertEqual(first.reference, [set.items[0].answer])
        XCTAssertEqual(first.metadata, ["group": "adversarial"])
        XCTAssertTrue(first.prompt.hasSuffix("Answer the question using a single word or phrase."))
        XCTAssertEqual(first.answerID.count, 16)
        XCTAssertEqual(Set(records.map(\.answerID)).count, records.count)
        let caption = try XCTUnwrap(records.first { $0.type == .caption })
        XCTAssertEqual(caption.reference.count, 3)

        // The LLaVA field names are there, so LLaVA's scripts can read the file.
        let line = try String(contentsOf: folder.appendingPathComponent("answers.jsonl"), encoding: .utf8)
            .split(separator: "\n")[0]
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["question_id", "prompt", "text", "answer_id", "model_id", "metadata", "type", "reference"])

        XCTAssertEqual(try EvalReport.load(contentsOf: folder.appendingPathComponent("report.json")), report)
        let json = try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8)
        XCTAssertTrue(json.contains(#""yes_ratio""#) && json.contains(#""acc_plus""#) && json.contains(#""mean_iou""#))

        let markdown = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        for heading in ["## Yes/no: POPE", "## Yes/no: MME", "## Multiple choice", "## Short answers", "## Captions", "## Grounding"] {
            XCTAssertTrue(markdown.contains(heading), heading)
        }
        let rows = tableRows(markdown)
        XCTAssertTrue(rows.contains(["without an answer (not scored)", "1"]), markdown)
        XCTAssertTrue(rows.contains { $0.first == "adversarial" && $0.count == 11 }, markdown)
        XCTAssertTrue(rows.contains(["**perception**", "", "", "", "", "380.00", ""]), markdown)
    }

    func testSkippedReasonsReachTheReport() {
        let text = #"{"id":"a","question":"q","answer":"yes","type":"yesno"}"# + "\n{oops\n" +
            #"{"id":"b","question":"q","answer":"yes","type":"quiz"}"#
        let report = Scorer.report(set: EvalSet(jsonl: Array(text.utf8)), answers: ["a": "Yes"])
        XCTAssertEqual(report.counts.skipped, ["malformed_json": 1, "unknown_type": 1])
        XCTAssertEqual(report.yesno?.pope.overall.accuracy, 1)
        XCTAssertNil(report.choice)
        XCTAssertTrue(tableRows(ReportMarkdown.text(report)).contains(["unknown_type", "1"]), ReportMarkdown.text(report))
    }

    func testComparisonAcrossCheckpoints() throws {
        func report(_ accuracy: Double, withCaptions: Bool) -> EvalReport {
            var report = EvalReport(model: nil, promptStyle: nil,
                                    counts: .init(items: 1, answered: 1, unanswered: 0, byType: [:], skipped: [:]))
            report.choice = Grouped(overall: ChoiceMetrics(count: 4, correct: Int(accuracy * 4), failed: 0), groups: [:])
            if withCaptions { report.caption = Grouped(overall: CaptionMetrics(count: 1, bleu: [0.5, 0.4, 0.3, 0.2], cider: 1.25), groups: [:]) }
            return report
        }
        let results = [
            CheckpointResult(name: "step-0002000", step: 2000, report: report(0.75, withCaptions: true)),
            CheckpointResult(name: "step-0000500", step: 500, report: report(0.25, withCaptions: false)),
            CheckpointResult(name: "step-0001000", step: 1000, report: report(0.5, withCaptions: true)),
        ]
        let series = CheckpointComparison.series(results)
        XCTAssertEqual(series.map(\.metric), ["choice.accuracy", "caption.bleu1", "caption.bleu2", "caption.bleu3", "caption.bleu4", "caption.cider"])
        XCTAssertEqual(series[0].steps, [500, 1000, 2000])
        XCTAssertEqual(series[0].values, [0.25, 0.5, 0.75])
        XCTAssertEqual(series[5].steps, [1000, 2000])

        let rows = tableRows(CheckpointComparison.markdown(results))
        XCTAssertEqual(rows[0], ["metric", "step-0000500 (step 500)", "step-0001000 (step 1000)", "step-0002000 (step 2000)"])
        XCTAssertEqual(rows[1], ["choice.accuracy", "0.2500", "0.5000", "0.7500"])
        XCTAssertEqual(rows.last, ["caption.cider", "–", "1.2500", "1.2500"])

        let folder = try temporaryFolder(self)
        try CheckpointComparison.write(results, to: folder)
        let written = try JSONDecoder().decode([MetricSeries].self, from: Data(contentsOf: folder.appendingPathComponent("comparison.json")))
        XCTAssertEqual(written, series)
    }

    func testNamedMetricsOfTheFixtureReport() throws {
        let set = try EvalSet.load(contentsOf: Fixtures.url("evalset.jsonl"))
        let report = Scorer.report(set: set, answers: try Fixtures.decode([String: String].self, "answers.json"))
        let names = report.namedMetrics.map(\.name)
        for name in ["pope.f1", "pope[adversarial].accuracy", "mme.perception", "mme.cognition", "mme[existence].score",
                     "choice.accuracy", "choice[IMG].accuracy", "short.accuracy", "caption.bleu4", "caption.cider",
                     "caption[coco].cider", "ground.accuracy", "ground.mean_iou"] {
            XCTAssertTrue(names.contains(name), name)
        }
        XCTAssertEqual(Set(names).count, names.count)
    }
}

/// The cells of the markdown tables in `text` (header rows included, rule rows left out).
func tableRows(_ text: String) -> [[String]] {
    text.split(separator: "\n").filter { $0.hasPrefix("|") && !$0.hasPrefix("| -") }.map { line in
        line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
