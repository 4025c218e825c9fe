import Foundation
import Tokenizers

/// Reads ScienceQA's `problems.json` into an eval set of `choice` items.
///
/// The file is one object from problem id to `{"question", "choices", "answer" (index), "hint",
/// "image" (file name or null), "split", ...}`. The hint, when there is one, goes before the
/// question as "Context: <hint>", as ScienceQA's and LLaVA's prompts give it; the answer is the
/// text of the right choice. Images are at `<split>/<id>/<image>` under ScienceQA's `images`
/// folder. The `group` is "IMG" for questions with an image (LLaVA's "IMG-Accuracy") and
/// "NO-IMG" for the others.
public enum ScienceQAConverter {
    /// Converts the problems of `split` ("train", "val", "test", ...; nil for all), in file order.
    public static func convert(problems url: URL, split: String? = "test") throws -> EvalSet {
        let bytes = try readBytes(url)
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch let error as JSONParseError {
            throw EvaluationError.invalidFormat(path: url.path, reason: "\(position(of: error.offset, in: bytes)): \(error.message)")
        }
        guard let problems = root.members else {
            throw EvaluationError.invalidFormat(path: url.path, reason: "expected an object of problems, found \(root.kindName)")
        }
        var items: [EvalItem] = []
        var skipped: [SkippedItem] = []
        for problem in problems {
            if let split, problem.value["split"]?.stringValue != split { continue }
            do {
                items.append(try item(id: problem.key, problem.value))
            } catch let failure as ItemProblem {
                skipped.append(failure, source: url.lastPathComponent, line: 0)
            }
        }
        return EvalSet(items: items, skipped: skipped)
    }

    static func item(id: String, _ problem: JSONValue) throws -> EvalItem {
        func failure(_ reason: SkipReason, _ detail: String) -> ItemProblem { ItemProblem(id: id, reason: reason, detail: detail) }
        guard let question = problem["question"]?.stringValue, !question.isEmpty else { throw failure(.missingQuestion, "no string \"question\"") }
        guard let choiceValues = problem["choices"]?.arrayValue else { throw failure(.missingChoices, "no list \"choices\"") }
        let choices = try choiceValues.map {
            guard let text = $0.stringValue else { throw failure(.invalidField, "\"choices\" must hold strings") }
            return text
        }
        guard let answer = problem["answer"]?.intValue else { throw failure(.missingAnswer, "no integer \"answer\"") }
        guard choices.indices.contains(answer) else {
            throw failure(.answerNotInChoices, "answer index \(answer) is outside the \(choices.count) choices")
        }
        let hint = problem["hint"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let image = problem["image"]?.stringValue
        let folder = problem["split"]?.stringValue ?? "test"
        let item = EvalItem(id: id, images: image.map { ["\(folder)/\(id)/\($0)"] } ?? [],
                            question: hint.isEmpty ? question : "Context: \(hint)\n\(question)",
                            answers: [choices[answer]], type: .choice, choices: choices,
                            group: image == nil ? "NO-IMG" : "IMG")
        try EvalItemReader.check(item)
        return item
    }

    /// "line L, column C" of a byte offset.
    static func position(of offset: Int, in bytes: [UInt8]) -> String {
        let before = bytes.prefix(offset)
        let line = before.filter { $0 == 0x0A }.count + 1
        let column = offset - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
        return "line \(line), column \(column)"
    }
}
