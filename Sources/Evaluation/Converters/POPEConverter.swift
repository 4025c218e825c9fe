import Foundation

/// Reads POPE's question files (`coco_pope_adversarial.json`, `..._popular.json`,
/// `..._random.json`) into an eval set.
///
/// Each file is JSON lines, `{"question_id": 1, "image": "COCO_val2014_000000310196.jpg",
/// "text": "Is there a snowboard in the image?", "label": "yes"}`. The category is the last
/// `_`-separated part of the file name (LLaVA's `eval_pope.py` takes `file[10:-5]` of
/// `coco_pope_<category>.json`); it becomes the items' `group` and prefixes their ids
/// (`adversarial/1`), since every file numbers its questions from 1. Image paths are kept as
/// they are (relative to COCO's val2014 folder).
public enum POPEConverter {
    public static func convert(files: [URL]) throws -> EvalSet {
        var items: [EvalItem] = []
        var skipped: [SkippedItem] = []
        for file in files {
            let category = self.category(ofFile: file.lastPathComponent)
            let source = file.lastPathComponent
            for (number, line) in TextLines.nonBlankLines(of: try readBytes(file)) {
                do {
                    items.append(try item(Array(line), category: category))
                } catch let problem as ItemProblem {
                    skipped.append(problem, source: source, line: number)
                }
            }
        }
        return EvalSet(items: items, skipped: skipped)
    }

    /// "coco_pope_adversarial.json" -> "adversarial".
    public static func category(ofFile name: String) -> String {
        let stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        return stem.split(separator: "_").last.map(String.init) ?? stem
    }

    static func item(_ line: [UInt8], category: String) throws -> EvalItem {
        let record = try EvalItemReader.object(line)
        let id = "\(category)/\(try EvalItemReader.readID(record, key: "question_id"))"
        guard let question = record["text"]?.stringValue, !question.isEmpty else {
            throw ItemProblem(id: id, reason: .missingQuestion, detail: "no string \"text\"")
        }
        guard let label = record["label"]?.stringValue else {
            throw ItemProblem(id: id, reason: .missingAnswer, detail: "no string \"label\"")
        }
        guard let image = record["image"]?.stringValue, !image.isEmpty else {
            throw ItemProblem(id: id, reason: .invalidField, detail: "no string \"image\"")
        }
        let item = EvalItem(id: id, images: [image], question: question, answers: [label], type: .yesno, group: category)
        try EvalItemReader.check(item)
        return item
    }
}
