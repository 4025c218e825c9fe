import Foundation
import XCTest
@testable import Workflows

/// How the shapes world's questions become stage 2 samples.
final class ShapesDatasetTests: XCTestCase {
    func turns(_ rounds: Int) -> [[String: String]] {
        (0..<rounds).flatMap { r in
            [["from": "human", "value": (r == 0 ? "<image>\n" : "") + "q\(r)"], ["from": "gpt", "value": "a\(r)"]]
        }
    }

    func conversations(_ samples: [[String: Any]]) -> [[[String: String]]] {
        samples.map { $0["conversations"] as! [[String: String]] }
    }

    func testQuestionsBecomeSingleRoundSamplesOfTheSameImage() {
        let samples = ShapesDataset.instructSamples(turns(7), image: "train/00001.png", index: 1)
        XCTAssertEqual(samples.count, 7)
        for (r, (sample, conversation)) in zip(samples, conversations(samples)).enumerated() {
            XCTAssertEqual(sample["image"] as? String, "train/00001.png")
            XCTAssertEqual(sample["id"] as? String, "inst-1-\(r)")
            XCTAssertEqual(conversation, [["from": "human", "value": "<image>\nq\(r)"], ["from": "gpt", "value": "a\(r)"]])
        }
    }

    func testEveryTwentiethImageAlsoHasAShortMultiRoundConversation() {
        let samples = ShapesDataset.instructSamples(turns(6), image: "train/00040.png", index: 40)
        let c = conversations(samples)
        XCTAssertEqual(c.map(\.count), [2 * ShapesDataset.multiRounds, 2, 2, 2])
        XCTAssertEqual(c[0].map { $0["value"]! }, ["<image>\nq0", "a0", "q1", "a1", "q2", "a2"], "one image placeholder, in the first turn")
        XCTAssertEqual(c.flatMap { $0 }.filter { $0["from"] == "gpt" }.map { $0["value"]! }, (0..<6).map { "a\($0)" }, "every answer once, in order")
    }
}
