import Foundation
import XCTest
@testable import Evaluation

/// The report of the fixture eval set against the metrics LLaVA's scripts (eval_pope.py,
/// eval_science_qa.py, m4c_evaluator.py), a re-implementation of MME's calculation.py and
/// pycocoevalcap (Bleu, Cider) computed on the same answers.
final class ReferenceParityTests: XCTestCase {
    static var report: EvalReport!
    static var set: EvalSet!
    static var answers: [String: String]!
    static var expected: Fixtures.Expected!

    override class func setUp() {
        super.setUp()
        set = try! EvalSet.load(contentsOf: Fixtures.url("evalset.jsonl"))
        answers = try! Fixtures.decode([String: String].self, "answers.json")
        expected = try! Fixtures.decode(Fixtures.Expected.self, "expected.json")
        report = Scorer.report(set: set, answers: answers, model: "fixture")
    }

    func testTheFixtureSetLoadsWhole() {
        XCTAssertEqual(Self.set.skipped, [])
        XCTAssertEqual(Self.set.items.count, 173)
        XCTAssertEqual(Self.report.counts.answered, 173)
        XCTAssertEqual(Self.report.counts.unanswered, 0)
        XCTAssertEqual(Self.report.counts.byType, ["yesno": 88, "choice": 30, "short": 25, "caption": 12, "ground": 18])
    }

    func testPOPEMatchesEvalPope() throws {
        let pope = try XCTUnwrap(Self.report.yesno?.pope)
        // The arithmetic is eval_pope.py's, in its order: the values are identical.
        XCTAssertEqual(pope.overall, Self.expected.pope["all"])
        XCTAssertEqual(Set(pope.groups.keys), Set(Self.expected.pope.keys).subtracting(["all"]))
        for (group, metrics) in pope.groups {
            XCTAssertEqual(metrics, Self.expected.pope[group], group)
        }
    }

    func testMMEMatchesCalculation() throws {
        let mme = try XCTUnwrap(Self.report.yesno?.mme)
        XCTAssertEqual(Set(mme.subtasks.keys), Set(Self.expected.mme.subtasks.keys))
        for (name, reference) in Self.expected.mme.subtasks {
            let subtask = try XCTUnwrap(mme.subtasks[name])
            XCTAssertEqual(subtask.acc, reference.acc, name)
            XCTAssertEqual(subtask.accPlus, reference.acc_plus, name)
            XCTAssertEqual(subtask.score, reference.score, name)
            XCTAssertEqual(subtask.other, reference.other, name)
            XCTAssertEqual(subtask.questions, reference.questions, name)
            XCTAssertEqual(subtask.images, reference.images, name)
        }
        XCTAssertEqual(mme.perception, Self.expected.mme.perception)
        XCTAssertEqual(mme.cognition, Self.expected.mme.cognition)
    }

    func testChoiceMatchesEvalScienceQA() throws {
        let choice = try XCTUnwrap(Self.report.choice)
        XCTAssertEqual(choice.overall, Self.expected.choice.overall)
        XCTAssertEqual(choice.groups, Self.expected.choice.groups)
        for item in Self.set.items where item.type == .choice {
            let reference = try XCTUnwrap(Self.expected.choice.parsed[item.id])
            let parsed = ScienceQA.parse(Self.answers[item.id]!, choiceCount: item.choices!.count)
            switch parsed {
            case .failed:
                XCTAssertEqual(reference.letter, "FAILED", item.id)
                XCTAssertEqual(reference.index, -1, item.id)
            case .letter(let letter, let index):
                XCTAssertEqual(String(letter), reference.letter, item.id)
                XCTAssertEqual(index ?? -1, reference.index, item.id)
            }
        }
    }

    func testShortAnswersMatchM4CEvaluator() throws {
        let short = try XCTUnwrap(Self.report.short)
        XCTAssertEqual(short.overall, Self.expected.short.overall)
        XCTAssertEqual(short.groups, Self.expected.short.groups)
        for item in Self.set.items where item.type == .short {
            XCTAssertEqual(VQAAnswer.accuracy(answer: Self.answers[item.id]!, references: item.answers),
                           Self.expected.short.per_item[item.id], item.id)
        }
    }

    func testCaptionsMatchPycocoevalcap() throws {
        let caption = try XCTUnwrap(Self.report.caption)
        func check(_ metrics: CaptionMetrics, _ reference: Fixtures.Expected.CaptionExpected.Scores, _ name: String) {
            XCTAssertEqual(metrics.count, reference.count, name)
            XCTAssertEqual(metrics.bleu.count, 4, name)
            for (ours, theirs) in zip(metrics.bleu, reference.bleu) { XCTAssertEqual(ours, theirs, accuracy: 1e-9, name) }
            XCTAssertEqual(metrics.cider, reference.cider, accuracy: 1e-9, name)
        }
        check(caption.overall, Self.expected.caption.overall, "overall")
        XCTAssertEqual(Set(caption.groups.keys), Set(Self.expected.caption.groups.keys))
        for (group, metrics) in caption.groups { check(metrics, Self.expected.caption.groups[group]!, group) }

        let items = Self.set.items.filter { $0.type == .caption }
        let cider = CIDErD.score(candidates: items.map { CaptionTokenizer.tokenize(Self.answers[$0.id]!) },
                                 references: items.map { $0.answers.map(CaptionTokenizer.tokenize) })
        for (item, value) in zip(items, cider.perCaption) {
            XCTAssertEqual(value, Self.expected.caption.overall.per_caption[item.id]!, accuracy: 1e-9, item.id)
        }
        // The fixture is not degenerate: scores are far from 0 and differ between captions.
        XCTAssertGreaterThan(caption.overall.bleu[3], 0.3)
        XCTAssertGreaterThan(Set(cider.perCaption).count, 8)
    }

    func testGroundingMatchesTheFixtureDefinition() throws {
        let ground = try XCTUnwrap(Self.report.ground)
        XCTAssertEqual(ground.overall.count, Self.expected.ground.overall.count)
        XCTAssertEqual(ground.overall.correct, Self.expected.ground.overall.correct)
        XCTAssertEqual(ground.overall.unparsed, Self.expected.ground.overall.unparsed)
        XCTAssertEqual(ground.overall.accuracy, Self.expected.ground.overall.accuracy)
        XCTAssertEqual(ground.overall.meanIoU, Self.expected.ground.overall.meanIoU, accuracy: 1e-12)
        for (group, metrics) in ground.groups {
            let reference = try XCTUnwrap(Self.expected.ground.groups[group])
            XCTAssertEqual(metrics.correct, reference.correct, group)
            XCTAssertEqual(metrics.meanIoU, reference.meanIoU, accuracy: 1e-12, group)
        }
        for item in Self.set.items where item.type == .ground {
            let reference = try XCTUnwrap(Self.expected.ground.per_item[item.id])
            let box = Box.firstBox(in: Self.answers[item.id]!)
            XCTAssertEqual(box.map { [$0.x1, $0.y1, $0.x2, $0.y2] }, reference.box, item.id)
            if let box, let iou = reference.iou {
                XCTAssertEqual(box.iou(item.referenceBox!), iou, item.id)
            }
        }
    }

    func testTextNormalisationAndTokenisationMatchTheScripts() throws {
        let cases = try Fixtures.decode(Fixtures.TextCases.self, "text_cases.json")
        XCTAssertGreaterThan(cases.normalization.count, 250)
        for entry in cases.normalization {
            XCTAssertEqual(VQAAnswer.normalize(entry.input), entry.output, "normalising \(entry.input.debugDescription)")
        }
        for entry in cases.tokenization {
            XCTAssertEqual(CaptionTokenizer.tokenize(entry.input), entry.tokens, "tokenising \(entry.input.debugDescription)")
        }
    }
}
