import Foundation

/// An eval set read from JSONL (DESIGN.md section 5), with the lines that could not be used.
///
/// Every line is checked on its own: a malformed or incomplete item is left out and recorded in
/// `skipped` with its line and reason, and the rest of the set is still evaluated. Only a file
/// that cannot be read at all is an error.
///
///     let set = try EvalSet.load(contentsOf: url, imageFolder: imagesURL)
///     print(set.items.count, set.skipped.countsByReason)   // 1998 ["image_not_found": 2]
public struct EvalSet: Sendable {
    /// The usable items: each passed the checks of its type, and ids are unique.
    public private(set) var items: [EvalItem]
    /// What was left out, in input order.
    public private(set) var skipped: [SkippedItem]

    /// A set of items made in code or by a converter. The items get the checks lines of a file
    /// get (answer rules of their type, unique ids); those failing join `skipped`, named by
    /// `source` with line 0.
    public init(items candidates: [EvalItem], skipped: [SkippedItem] = [], source: String = "items") {
        var collector = Collector(skipped: skipped)
        for candidate in candidates {
            collector.add(source: source, line: 0) {
                try EvalItemReader.check(candidate)
                return candidate
            }
        }
        (items, self.skipped) = (collector.items, collector.skipped)
    }

    /// Reads an eval set. With `imageFolder`, items whose images are not on disk are skipped
    /// (relative paths are looked up in that folder, absolute paths as they are).
    public static func load(contentsOf url: URL, imageFolder: URL? = nil) throws -> EvalSet {
        EvalSet(jsonl: try readBytes(url), source: url.lastPathComponent, imageFolder: imageFolder)
    }

    /// Parses JSONL text; `source` names it in messages.
    public init(jsonl bytes: [UInt8], source: String = "eval set", imageFolder: URL? = nil) {
        var collector = Collector(skipped: [])
        for (number, line) in TextLines.nonBlankLines(of: bytes) {
            collector.add(source: source, line: number) { try EvalItemReader.read(Array(line), imageFolder: imageFolder) }
        }
        (items, skipped) = (collector.items, collector.skipped)
    }

    /// Keeps the items that are made without problem and have a new id, and records the others.
    private struct Collector {
        var items: [EvalItem] = []
        var skipped: [SkippedItem]
        var seen = Set<String>()

        init(skipped: [SkippedItem]) { self.skipped = skipped }

        mutating func add(source: String, line: Int, _ make: () throws -> EvalItem) {
            do {
                let item = try make()
                guard seen.insert(item.id).inserted else {
                    throw ItemProblem(id: item.id, reason: .duplicateID, detail: "id \"\(item.id)\" was used by an earlier item")
                }
                items.append(item)
            } catch let problem as ItemProblem {
                skipped.append(problem, source: source, line: line)
            } catch {
                skipped.append(ItemProblem(id: nil, reason: .invalidField, detail: "\(error)"), source: source, line: line)
            }
        }
    }

    /// Writes the items as eval JSONL (what the converters produce).
    public func write(to url: URL) throws {
        try JSONLines.write(items, to: url)
    }

    /// How many items there are of each type.
    public var countsByType: [TaskType: Int] {
        items.reduce(into: [:]) { $0[$1.type, default: 0] += 1 }
    }
}
