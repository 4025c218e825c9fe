import Foundation
import XCTest
@testable import Evaluation

/// The reference files made by Tests/Fixtures/scripts/make_eval_fixtures.py from LLaVA's and
/// pycocoevalcap's scoring code.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/eval")

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    static func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: url(name)))
    }

    /// expected.json.
    struct Expected: Decodable {
        struct MMEExpected: Decodable {
            struct Subtask: Decodable {
                let acc: Double
                let acc_plus: Double
                let score: Double
                let other: Int
                let questions: Int
                let images: Int
            }
            let subtasks: [String: Subtask]
            let perception: Double?
            let cognition: Double?
        }
        struct ChoiceExpected: Decodable {
            struct Parsed: Decodable {
                let letter: String
                let index: Int
            }
            let overall: ChoiceMetrics
            let groups: [String: ChoiceMetrics]
            let parsed: [String: Parsed]
        }
        struct ShortExpected: Decodable {
            let overall: ShortAnswerMetrics
            let groups: [String: ShortAnswerMetrics]
            let per_item: [String: Double]
        }
        struct CaptionExpected: Decodable {
            struct Scores: Decodable {
                let count: Int
                let bleu: [Double]
                let cider: Double
                let per_caption: [String: Double]
            }
            let overall: Scores
            let groups: [String: Scores]
        }
        struct GroundExpected: Decodable {
            struct PerItem: Decodable {
                let box: [Double]?
                let iou: Double?
            }
            let overall: GroundingMetrics
            let groups: [String: GroundingMetrics]
            let per_item: [String: PerItem]
        }
        let pope: [String: BinaryMetrics]
        let mme: MMEExpected
        let choice: ChoiceExpected
        let short: ShortExpected
        let caption: CaptionExpected
        let ground: GroundExpected
    }

    /// text_cases.json.
    struct TextCases: Decodable {
        struct Normalization: Decodable {
            let input: String
            let output: String
        }
        struct Tokenization: Decodable {
            let input: String
            let tokens: [String]
        }
        let normalization: [Normalization]
        let tokenization: [Tokenization]
    }
}

/// A temporary folder removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vlmtune-eval-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
    return folder
}

/// Writes `text` to `folder/path`, creating folders on the way.
@discardableResult
func writeFile(_ text: String, _ path: String, in folder: URL) throws -> URL {
    let url = folder.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url
}
