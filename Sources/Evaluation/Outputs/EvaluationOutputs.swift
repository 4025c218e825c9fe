import Foundation

/// The files of one evaluation (DESIGN.md section 5): `answers.jsonl`, `report.json` and
/// `report.md` in one folder.
public enum EvaluationOutputs {
    public static let answersFile = "answers.jsonl"
    public static let reportJSONFile = "report.json"
    public static let reportMarkdownFile = "report.md"

    /// Scores `answers` (item id -> the model's text) and writes the three files into `folder`
    /// (created if needed). Returns the report.
    @discardableResult
    public static func write(set: EvalSet, answers: [String: String], modelID: String,
                             style: PromptStyle = .llava15, to folder: URL) throws -> EvalReport {
        let report = Scorer.report(set: set, answers: answers, model: modelID, promptStyle: style)
        try createFolder(folder)
        try AnswersFile.write(AnswersFile.records(for: set, answers: answers, modelID: modelID, style: style),
                              to: folder.appendingPathComponent(answersFile))
        try write(report, to: folder)
        return report
    }

    /// Writes `report.json` and `report.md` into `folder`.
    public static func write(_ report: EvalReport, to folder: URL) throws {
        try createFolder(folder)
        let json = folder.appendingPathComponent(reportJSONFile)
        let markdown = folder.appendingPathComponent(reportMarkdownFile)
        do {
            var data = try ReportJSON.encoder.encode(report)
            data.append(0x0A)
            try data.write(to: json, options: .atomic)
            try Data(ReportMarkdown.text(report).utf8).write(to: markdown, options: .atomic)
        } catch {
            throw EvaluationError.unwritable(path: folder.path, reason: "\(error)")
        }
    }

    static func createFolder(_ folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw EvaluationError.unwritable(path: folder.path, reason: error.localizedDescription)
        }
    }
}
