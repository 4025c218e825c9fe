import Foundation
import XCTest
@testable import Evaluation

/// Metrics on inputs small enough to work out on paper.
final class HandComputedTests: XCTestCase {
    func testConfusionMatrixOfFiveAnswers() {
        // yes/yes TP, yes/no FP, no/no TN, no/yes FN, yes/yes TP.
        let metrics = BinaryMetrics(predictions: [true, true, false, false, true], labels: [true, false, false, true, true])
        XCTAssertEqual([metrics.truePositives, metrics.falsePositives, metrics.trueNegatives, metrics.falseNegatives], [2, 1, 1, 1])
        XCTAssertEqual(metrics.accuracy, 3.0 / 5)
        XCTAssertEqual(metrics.precision, 2.0 / 3)
        XCTAssertEqual(metrics.recall, 2.0 / 3)
        XCTAssertEqual(metrics.f1, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(metrics.yesRatio, 3.0 / 5)
    }

    func testUndefinedPrecisionIsZeroNotNaN() {
        let metrics = BinaryMetrics(predictions: [false, false], labels: [true, false])
        XCTAssertEqual(metrics.precision, 0)
        XCTAssertEqual(metrics.recall, 0)
        XCTAssertEqual(metrics.f1, 0)
        XCTAssertEqual(metrics.accuracy, 0.5)
    }

    func testPOPEReadsOnlyTheFirstSentenceAndExactNegations() {
        XCTAssertTrue(POPE.saysYes("Yes, there is."))
        XCTAssertFalse(POPE.saysYes("No, there is not."))
        XCTAssertFalse(POPE.saysYes("There is no dog."))
        XCTAssertFalse(POPE.saysYes("It is not."))
        XCTAssertTrue(POPE.saysYes("Yes. There is no cat."), "only the text before the first period counts")
        XCTAssertTrue(POPE.saysYes("NO"), "only No, no and not are negations")
        XCTAssertTrue(POPE.saysYes("Nope"))
        XCTAssertTrue(POPE.saysYes(""))
        XCTAssertTrue(POPE.saysYes("No,there isn't"), "commas are removed, not split on: \"Nothere\" is no negation")
    }

    func testMMEAccAndAccPlusOfTwoImages() {
        // Image 1: both right. Image 2: a wrong yes and an answer that is neither.
        let score = MME.score(answers: ["yes", "No.", "Yes", "maybe"], labels: [true, false, false, true],
                              images: ["1.jpg", "1.jpg", "2.jpg", "2.jpg"])
        XCTAssertEqual(score.acc, 0.5)
        XCTAssertEqual(score.accPlus, 0.5)
        XCTAssertEqual(score.score, 100)
        XCTAssertEqual(score.other, 1)
        XCTAssertEqual(MME.parse("Yesterday"), .yes)
        XCTAssertEqual(MME.parse("There is no cat"), .other)
        XCTAssertEqual(MME.parse("nope"), .no)
        let totals = MME.totals(["existence": score, "OCR": score, "code_reasoning": score, "mine": score])
        XCTAssertEqual(totals.perception, 200)
        XCTAssertEqual(totals.cognition, 100)
        XCTAssertNil(MME.totals(["mine": score]).perception)
    }

    func testScienceQAParsing() {
        XCTAssertEqual(ScienceQA.parse("A", choiceCount: 3), .letter("A", index: 0))
        XCTAssertEqual(ScienceQA.parse("B. a dog", choiceCount: 3), .letter("B", index: 1))
        XCTAssertEqual(ScienceQA.parse("The answer is C.", choiceCount: 3), .letter("C", index: 2))
        XCTAssertEqual(ScienceQA.parse("The answer is C.", choiceCount: 2), .letter("C", index: nil))
        XCTAssertEqual(ScienceQA.parse("The answer is C. The answer is C.", choiceCount: 3), .failed)
        XCTAssertEqual(ScienceQA.parse("b", choiceCount: 3), .failed)
        XCTAssertEqual(ScienceQA.parse("A.", choiceCount: 3), .failed)
        XCTAssertEqual(ScienceQA.parse("F", choiceCount: 7), .letter("F", index: 5))
        let metrics = ScienceQA.score(answers: ["A", "b", "The answer is B.", "E"], answerIndices: [0, 1, 0, 2],
                                      choiceCounts: [2, 2, 2, 3])
        XCTAssertEqual(metrics, ChoiceMetrics(count: 4, correct: 1, failed: 1))
        XCTAssertEqual(metrics.accuracy, 0.25)
    }

    func testVQANormalisationAndSoftAccuracy() {
        XCTAssertEqual(VQAAnswer.normalize("Two dogs."), "2 dogs")
        XCTAssertEqual(VQAAnswer.normalize("the Cat's hat"), "cat 's hat")
        XCTAssertEqual(VQAAnswer.normalize("dont"), "don't")
        XCTAssertEqual(VQAAnswer.normalize("3.5"), "3.5")
        // Two of ten annotators said "2": leaving out one of them leaves 1 match (1/3), leaving out
        // one of the others leaves 2 (2/3); (2 * 1/3 + 8 * 2/3) / 10 = 0.6.
        let references = ["2", "2"] + Array(repeating: "3", count: 8)
        XCTAssertEqual(VQAAnswer.accuracy(answer: "two", references: references), 0.6, accuracy: 1e-15)
        XCTAssertEqual(VQAAnswer.accuracy(answer: "3", references: references), 1)
        XCTAssertEqual(VQAAnswer.accuracy(answer: "4", references: references), 0)
        XCTAssertEqual(VQAAnswer.accuracy(answer: "An apple.", references: ["apple"]), 1)
        XCTAssertEqual(VQAAnswer.accuracy(answer: "apples", references: ["apple"]), 0)
    }

    func testBLEUOfOneSentence() {
        // the cat sat on the mat / the cat is on the mat: matching 1-grams 5/6, 2-grams 3/5,
        // 3-grams 1/4, 4-grams 0/3; equal lengths, so no brevity penalty.
        let bleu = BLEU.score(candidates: [["the", "cat", "sat", "on", "the", "mat"]],
                              references: [[["the", "cat", "is", "on", "the", "mat"]]])
        XCTAssertEqual(bleu[0], 5.0 / 6, accuracy: 1e-9)
        XCTAssertEqual(bleu[1], (5.0 / 6 * 3 / 5).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(bleu[2], 0.5, accuracy: 1e-9)
        // No 4-gram matches: only the smoothing (1e-15 / 3) keeps BLEU-4 above zero.
        XCTAssertEqual(bleu[3], pow(0.125 * 1e-15 / 3, 0.25), accuracy: 1e-12)
    }

    func testBLEUBrevityPenaltyAndClosestReferenceLength() {
        // Two words against six: every BLEU-n is multiplied by exp(1 - 6/2).
        let short = BLEU.score(candidates: [["the", "cat"]], references: [[["the", "cat", "sat", "on", "the", "mat"]]])
        XCTAssertEqual(short[0], exp(-2.0), accuracy: 1e-9)
        XCTAssertEqual(short[1], exp(-2.0), accuracy: 1e-9)
        // Four words between references of three and five: the shorter one is taken, no penalty.
        XCTAssertEqual(BLEU.closestLength([5, 3], to: 4), 3)
        let between = BLEU.score(candidates: [["a", "b", "c", "d"]], references: [[["a", "b", "c", "d", "e"], ["a", "b", "c"]]])
        XCTAssertEqual(between[0], 1, accuracy: 1e-9)
    }

    func testCIDErDOfExactCaptions() {
        // Two images, each caption equal to its only reference: every n-gram occurs in one of two
        // reference sets, so all weights are log 2 and the cosine is 1 for 1- and 2-grams and 0
        // for the absent 3- and 4-grams; (1 + 1 + 0 + 0) / 4 * 10 = 5.
        let result = CIDErD.score(candidates: [["a", "dog"], ["red", "car"]], references: [[["a", "dog"]], [["red", "car"]]])
        XCTAssertEqual(result.perCaption[0], 5, accuracy: 1e-12)
        XCTAssertEqual(result.perCaption[1], 5, accuracy: 1e-12)
        XCTAssertEqual(result.score, 5, accuracy: 1e-12)
        // One image: every idf is log(1) - log(1) = 0, so CIDEr-D is 0 (as in pycocoevalcap).
        XCTAssertEqual(CIDErD.score(candidates: [["a", "dog"]], references: [[["a", "dog"]]]).score, 0)
    }

    func testIoU() {
        let a = Box(0, 0, 0.5, 0.5), b = Box(0.25, 0.25, 0.75, 0.75)
        // Overlap 0.25 x 0.25 = 1/16; union 1/4 + 1/4 - 1/16 = 7/16.
        XCTAssertEqual(a.iou(b), 1.0 / 7, accuracy: 1e-15)
        XCTAssertEqual(a.iou(a), 1)
        XCTAssertEqual(a.iou(Box(0.6, 0.6, 1, 1)), 0)
        XCTAssertEqual(Box(0.5, 0.5, 0.4, 0.4).iou(a), 0, "an inverted box has no area")
        // Half of the reference: exactly at the threshold, which counts as correct.
        let metrics = Grounding.score(answers: ["[0, 0, 0.5, 1]", "nothing", "[0,0,1,1]"], references: Array(repeating: Box(0, 0, 1, 1), count: 3))
        XCTAssertEqual(metrics.correct, 2)
        XCTAssertEqual(metrics.unparsed, 1)
        XCTAssertEqual(metrics.meanIoU, 0.5)
    }

    func testBoxParsing() {
        XCTAssertEqual(Box.firstBox(in: "at [0.1, 0.2, 0.5,0.9]."), Box(0.1, 0.2, 0.5, 0.9))
        XCTAssertEqual(Box.firstBox(in: "[.5, 1., -0.25, 3]"), Box(0.5, 1, -0.25, 3))
        XCTAssertEqual(Box.firstBox(in: "[1, 2, 3] then [4, 5, 6, 7]"), Box(4, 5, 6, 7))
        XCTAssertNil(Box.firstBox(in: "[1, 2, 3, 4"))
        XCTAssertNil(Box.firstBox(in: "[1, 2, 3, 4, 5]"))
        XCTAssertNil(Box.firstBox(in: "[., 1, 2, 3]"))
        XCTAssertNil(Box.firstBox(in: "no box"))
    }
}
