import Foundation
import Tokenizers

/// Why one line could not become an item.
struct ItemProblem: Error {
    let id: String?
    let reason: SkipReason
    let detail: String
}

extension Array where Element == SkippedItem {
    /// Records `problem` as a line of `source` left out.
    mutating func append(_ problem: ItemProblem, source: String, line: Int) {
        append(SkippedItem(source: source, line: line, id: problem.id, reason: problem.reason, detail: problem.detail))
    }
}

/// Turns one JSONL line into a checked `EvalItem`, or throws the `ItemProblem` that stops it.
enum EvalItemReader {
    static func read(_ line: [UInt8], imageFolder: URL?) throws -> EvalItem {
        try item(from: try object(line), imageFolder: imageFolder)
    }

    /// The line as a JSON object.
    static func object(_ line: [UInt8]) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch let error as JSONParseError {
            throw ItemProblem(id: nil, reason: .malformedJSON, detail: "column \(error.offset + 1): \(error.message)")
        }
        guard case .object = value else { throw ItemProblem(id: nil, reason: .notAnObject, detail: "the line is \(value.kindName)") }
        return value
    }

    static func item(from object: JSONValue, imageFolder: URL?) throws -> EvalItem {
        let id = try readID(object, key: "id")
        func problem(_ reason: SkipReason, _ detail: String) -> ItemProblem { ItemProblem(id: id, reason: reason, detail: detail) }

        guard let questionValue = object["question"], questionValue != .null else { throw problem(.missingQuestion, "no \"question\"") }
        guard let question = questionValue.stringValue else {
            throw problem(.invalidField, "\"question\" must be a string, found \(questionValue.kindName)")
        }

        guard let answerValue = object["answer"], answerValue != .null else { throw problem(.missingAnswer, "no \"answer\"") }
        let answers = try strings(answerValue, field: "answer", id: id)

        guard let typeValue = object["type"], typeValue != .null else { throw problem(.missingType, "no \"type\"") }
        guard let typeName = typeValue.stringValue else { throw problem(.invalidField, "\"type\" must be a string, found \(typeValue.kindName)") }
        guard let type = TaskType(rawValue: typeName) else {
            let known = TaskType.allCases.map(\.rawValue).joined(separator: ", ")
            throw problem(.unknownType, "type \"\(typeName)\" is not one of \(known)")
        }

        var images: [String] = []
        if let image = object["image"], image != .null {
            guard let path = image.stringValue, !path.isEmpty else { throw problem(.invalidField, "\"image\" must be a non-empty string") }
            images.append(path)
        }
        if let list = object["images"], list != .null {
            let paths = try strings(list, field: "images", id: id)
            guard !paths.contains(where: \.isEmpty) else { throw problem(.invalidField, "\"images\" holds an empty path") }
            images += paths
        }

        var group: String?
        if let groupValue = object["group"], groupValue != .null {
            guard let name = groupValue.stringValue else { throw problem(.invalidField, "\"group\" must be a string, found \(groupValue.kindName)") }
            group = name
        }

        var choices: [String]?
        if let choicesValue = object["choices"], choicesValue != .null {
            guard case .array = choicesValue else { throw problem(.invalidField, "\"choices\" must be a list of strings") }
            choices = try strings(choicesValue, field: "choices", id: id)
        }

        let item = EvalItem(id: id, images: images, question: question, answers: answers, type: type, choices: choices, group: group)
        try check(item)
        if let imageFolder { try checkImages(item, in: imageFolder) }
        return item
    }

    /// What every item must be, however it was made: a question, a reference answer, and the
    /// answer rules of its type.
    static func check(_ item: EvalItem) throws {
        func problem(_ reason: SkipReason, _ detail: String) -> ItemProblem { ItemProblem(id: item.id, reason: reason, detail: detail) }
        guard !item.question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw problem(.missingQuestion, "the question is empty") }
        guard item.answers.contains(where: { !$0.isEmpty }) else { throw problem(.missingAnswer, "the answer is empty") }
        if [.yesno, .choice, .ground].contains(item.type), item.answers.count != 1 {
            throw problem(.invalidField, "a \(item.type.rawValue) item has one answer, found a list of \(item.answers.count)")
        }
        switch item.type {
        case .yesno:
            guard ["yes", "no"].contains(item.answer.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw problem(.answerNotYesNo, "answer \"\(item.answer)\" is neither yes nor no")
            }
        case .choice:
            guard let choices = item.choices, choices.count >= 2 else { throw problem(.missingChoices, "a choice item needs at least two \"choices\"") }
            guard choices.count <= ScienceQA.letters.count else {
                throw problem(.invalidField, "\(choices.count) choices, more than the \(ScienceQA.letters.count) option letters")
            }
            guard Set(choices).count == choices.count else {
                throw problem(.invalidField, "choices repeat, so an answer's letter would be ambiguous: \(choices)")
            }
            guard item.answerIndex != nil else {
                throw problem(.answerNotInChoices, "answer \"\(item.answer)\" is not one of the choices \(choices)")
            }
        case .ground:
            guard let box = item.referenceBox, box.isNormalised else {
                throw problem(.answerHasNoBox, "answer \"\(item.answer)\" holds no box [x1, y1, x2, y2] with 0 <= x1 <= x2 <= 1 and 0 <= y1 <= y2 <= 1")
            }
        case .short, .caption:
            break
        }
    }

    static func checkImages(_ item: EvalItem, in folder: URL) throws {
        for path in item.images {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
            guard isFile(url) else {
                throw ItemProblem(id: item.id, reason: .imageNotFound, detail: "image \(url.path) is not there")
            }
        }
    }

    /// The id under `key`: a string, or an integer as POPE and VQA number their questions.
    static func readID(_ object: JSONValue, key: String) throws -> String {
        guard let value = object[key], value != .null else { throw ItemProblem(id: nil, reason: .missingID, detail: "no \"\(key)\"") }
        switch value {
        case .string(let text) where !text.isEmpty: return text
        case .number(let literal) where Int(literal) != nil: return literal
        default: throw ItemProblem(id: nil, reason: .invalidField, detail: "\"\(key)\" must be a non-empty string or an integer, found \(value.kindName)")
        }
    }

    /// A string, or a list of strings, as a list.
    static func strings(_ value: JSONValue, field: String, id: String) throws -> [String] {
        func problem(_ reason: SkipReason, _ detail: String) -> ItemProblem { ItemProblem(id: id, reason: reason, detail: detail) }
        switch value {
        case .string(let text):
            return [text]
        case .array(let values):
            return try values.map {
                guard let text = $0.stringValue else { throw problem(.invalidField, "\"\(field)\" must hold strings, found \($0.kindName)") }
                return text
            }
        default:
            throw problem(.invalidField, "\"\(field)\" must be a string or a list of strings, found \(value.kindName)")
        }
    }
}
