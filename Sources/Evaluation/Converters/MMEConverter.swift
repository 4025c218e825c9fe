import Foundation

/// Reads the MME benchmark as released (`MME_Benchmark_release_version/`) into an eval set.
///
/// Each subtask is a folder in one of two layouts, both in the release:
/// - `artwork/images/*.jpg` with `artwork/questions_answers_YN/*.txt`, or
/// - `existence/*.jpg` (or `.png`) with `existence/*.txt` side by side.
///
/// A `.txt` file holds the two questions of the image with the same name, one per line as
/// `question<TAB>answer` (answer Yes or No), the question ending with "Please answer yes or
/// no." (appended when absent, as LLaVA's `convert_answer_to_mme.py` does). Items are
/// `yesno` with the subtask as `group` and ids `subtask/image.jpg#line`; image paths are
/// relative to the release folder. Folders without question files are ignored.
public enum MMEConverter {
    static let imageExtensions = ["jpg", "png", "jpeg", "JPG", "PNG", "JPEG"]

    public static func convert(root: URL) throws -> EvalSet {
        let subtasks = try contents(of: root).filter { isFolder(root.appendingPathComponent($0)) }
        var items: [EvalItem] = []
        var skipped: [SkippedItem] = []
        for subtask in subtasks {
            let folder = root.appendingPathComponent(subtask)
            let separate = isFolder(folder.appendingPathComponent("images"))
            let imageFolder = separate ? "\(subtask)/images" : subtask
            let questionFolder = separate ? folder.appendingPathComponent("questions_answers_YN") : folder
            guard isFolder(questionFolder) else { continue }
            let imageNames = Set(try contents(of: root.appendingPathComponent(imageFolder)))
            for file in try contents(of: questionFolder) where file.hasSuffix(".txt") {
                let url = questionFolder.appendingPathComponent(file)
                let source = "\(subtask)/\(separate ? "questions_answers_YN/" : "")\(file)"
                let stem = String(file.dropLast(4))
                let image = imageExtensions.map { "\(stem).\($0)" }.first(where: imageNames.contains)
                for (number, line) in TextLines.nonBlankLines(of: try readBytes(url)) {
                    let id = "\(subtask)/\(image ?? stem)#\(number)"
                    do {
                        let text = String(decoding: line, as: UTF8.self)
                        guard let image else {
                            throw ItemProblem(id: id, reason: .imageNotFound, detail: "no image \(stem).jpg or .png in \(imageFolder)")
                        }
                        items.append(try item(text, id: id, image: "\(imageFolder)/\(image)", subtask: subtask))
                    } catch let problem as ItemProblem {
                        skipped.append(problem, source: source, line: number)
                    }
                }
            }
        }
        return EvalSet(items: items, skipped: skipped)
    }

    /// The item of one `question<TAB>answer` line.
    static func item(_ line: String, id: String, image: String, subtask: String) throws -> EvalItem {
        let fields = line.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\t")
        guard fields.count == 2, !fields[0].isEmpty else {
            throw ItemProblem(id: id, reason: .malformedLine, detail: "expected question<TAB>answer, found \(fields.count) field(s)")
        }
        let item = EvalItem(id: id, images: [image], question: Prompts.withYesNoInstruction(fields[0]),
                            answers: [fields[1].lowercased()], type: .yesno, group: subtask)
        try EvalItemReader.check(item)
        return item
    }
}
