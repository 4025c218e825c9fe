import Foundation
import Yams

/// A recipe problem, as one line: what is wrong, then where (file and line, or the override).
public struct RecipeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ what: String, at location: String) { description = "\(what): \(location)" }
}

/// Recipe entries as written, flattened to dotted keys, with where each came from.
public struct RecipeEntries {
    public struct Entry {
        public var value: RecipeValue
        public var origin: String
    }

    public var values: [String: Entry] = [:]

    public subscript(_ path: String) -> Entry? { values[path] }
}

/// Reads recipe files: YAML -> flat entries (with `extends` and command-line overrides) ->
/// checked against `RecipeSchema` -> a typed `Recipe`.
public enum RecipeLoader {
    /// Loads `path`, applies `overrides` (`key.path=value`), validates and fills defaults.
    public static func load(_ path: String, overrides: [String] = []) throws -> Recipe {
        var entries = try entries(of: path, chain: [])
        for o in overrides {
            guard let eq = o.firstIndex(of: "="), eq != o.startIndex else {
                throw RecipeError("override must look like key.path=value, got \"\(o)\"", at: "command line")
            }
            let key = String(o[..<eq]), raw = String(o[o.index(after: eq)...])
            let origin = "command line override \(key)"
            if let spec = RecipeSchema.byPath[key] ?? RecipeSchema.objectPrefix(of: key).flatMap({ RecipeSchema.byPath[$0] }) {
                _ = spec
            } else {
                throw RecipeError(unknownKeyMessage(key), at: origin)
            }
            if let objectKey = RecipeSchema.objectPrefix(of: key) {
                // model.llm.config.hidden_size=64 sets one field of an inline config.
                var fields: [(String, RecipeValue)] = []
                if case .map(let m)? = entries[objectKey]?.value { fields = m }
                let field = String(key.dropFirst(objectKey.count + 1))
                fields.removeAll { $0.0 == field }
                fields.append((field, RecipeValue.parse(raw)))
                entries.values[objectKey] = .init(value: .map(fields), origin: origin)
            } else {
                entries.values[key] = .init(value: RecipeValue.parse(raw), origin: origin)
            }
        }
        let name = (path as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: "").replacingOccurrences(of: ".yml", with: "")
        return try Recipe(entries: entries, defaultName: name, file: path)
    }

    /// Flat entries of one file, its `extends` chain applied first.
    static func entries(of path: String, chain: [String]) throws -> RecipeEntries {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if chain.contains(absolute) {
            throw RecipeError("extends cycle through \((chain + [absolute]).map { ($0 as NSString).lastPathComponent }.joined(separator: " -> "))", at: path)
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw RecipeError("cannot read recipe", at: path)
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw RecipeError("invalid YAML (\(yamlMessage(e)))", at: path)
        }
        guard let root = node else { throw RecipeError("empty recipe", at: path) }
        guard case .mapping(let mapping) = root else {
            throw RecipeError("a recipe is a mapping of sections", at: "\(path) line \(root.mark?.line ?? 1)")
        }
        var mine = RecipeEntries()
        try flatten(mapping, prefix: "", file: path, into: &mine)
        var result = RecipeEntries()
        if let parent = mine["extends"] {
            guard case .string(let rel) = parent.value else { throw RecipeError("extends must be a path", at: parent.origin) }
            let dir = (path as NSString).deletingLastPathComponent
            let parentPath = rel.hasPrefix("/") ? rel : (dir.isEmpty ? rel : dir + "/" + rel)
            result = try entries(of: parentPath, chain: chain + [absolute])
            result.values.removeValue(forKey: "name")  // a name belongs to the file that states it
        }
        for (k, v) in mine.values where k != "extends" { result.values[k] = v }
        return result
    }

    static func yamlMessage(_ e: YamlError) -> String {
        "\(e)".replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
    }

    static func flatten(_ mapping: Node.Mapping, prefix: String, file: String, into out: inout RecipeEntries) throws {
        for (k, v) in mapping {
            let line = k.mark?.line ?? v.mark?.line ?? 0
            let origin = "\(file) line \(line)"
            guard let name = k.string else { throw RecipeError("recipe keys must be strings", at: origin) }
            let path = prefix.isEmpty ? name : prefix + "." + name
            if out.values[path] != nil { throw RecipeError("duplicate key \(path)", at: origin) }
            if let spec = RecipeSchema.byPath[path] {
                if spec.type != .object, case .mapping = v {
                    throw RecipeError("\(path) must be a \(spec.type.name), got a mapping", at: origin)
                }
                out.values[path] = .init(value: RecipeValue(v), origin: origin)
            } else if RecipeSchema.keys.contains(where: { $0.path.hasPrefix(path + ".") }) {
                guard case .mapping(let sub) = v else {
                    if case .scalar = v, v.tag.rawValue == Tag.Name.null.rawValue { continue }  // an empty section
                    throw RecipeError("\(path) is a section: it holds keys, not a value", at: origin)
                }
                try flatten(sub, prefix: path, file: file, into: &out)
            } else {
                throw RecipeError(unknownKeyMessage(path), at: origin)
            }
        }
    }

    /// "unknown recipe key model.lora.rank (did you mean model.lora.r?)"
    static func unknownKeyMessage(_ path: String) -> String {
        let candidates = RecipeSchema.keys.map(\.path)
        let best = candidates.min { editDistance($0, path) < editDistance($1, path) }
        if let best, editDistance(best, path) <= max(3, path.count / 4) {
            return "unknown recipe key \(path) (did you mean \(best)?)"
        }
        return "unknown recipe key \(path)"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where i <= a.count {
            var prev = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where j <= b.count {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }
}
