import Foundation
import Layers

/// Typed access to a JSON object from a file, with one-line errors that name the file and
/// the key. Hugging Face configs vary across versions (aliases, optional fields, nested
/// rope settings), so configs are read field by field rather than decoded wholesale.
public struct JSONObject {
    public let dict: [String: Any]
    public let file: String

    public init(dict: [String: Any], file: String) {
        self.dict = dict
        self.file = file
    }

    public init(contentsOf path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw LayerError("file not found", at: path) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let obj: Any
        do {
            obj = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw LayerError("not valid JSON (\(error.localizedDescription))", at: path)
        }
        guard let d = obj as? [String: Any] else { throw LayerError("top level is not a JSON object", at: path) }
        self.init(dict: d, file: path)
    }

    public func has(_ key: String) -> Bool { dict[key] != nil && !(dict[key] is NSNull) }

    public func int(_ key: String) throws -> Int? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber, n.doubleValue == Double(n.intValue) else {
            throw LayerError("\(key) must be an integer, got \(v)", at: file)
        }
        return n.intValue
    }

    public func int(_ key: String, default value: Int) throws -> Int { try int(key) ?? value }

    public func requiredInt(_ key: String) throws -> Int {
        guard let v = try int(key) else { throw LayerError("missing \(key)", at: file) }
        return v
    }

    public func double(_ key: String) throws -> Double? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber else { throw LayerError("\(key) must be a number, got \(v)", at: file) }
        return n.doubleValue
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber else { throw LayerError("\(key) must be true or false, got \(v)", at: file) }
        return n.boolValue
    }

    public func string(_ key: String) throws -> String? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let s = v as? String else { throw LayerError("\(key) must be a string, got \(v)", at: file) }
        return s
    }

    public func object(_ key: String) throws -> JSONObject? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let d = v as? [String: Any] else { throw LayerError("\(key) must be an object", at: file) }
        return JSONObject(dict: d, file: file + ":" + key)
    }
}

extension Float {
    /// The value as a config.json should hold it: the shortest decimal that reads back as
    /// this Float (`1e-05`, `0.15`), as transformers writes it, not the Float widened to a
    /// Double (`9.999999747378752e-06`), which would drift from the source config on export.
    var jsonNumber: Double { Double("\(self)") ?? Double(self) }
}
