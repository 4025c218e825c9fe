import Foundation
import Tensors

/// The weights of a Hugging Face model folder: `model.safetensors`, or the shards listed by
/// `model.safetensors.index.json`.
public final class WeightFiles {
    public let folder: String
    private var files: [String: SafeTensors.File] = [:]
    /// Tensor name -> file name within the folder.
    public let location: [String: String]

    public init(folder: String) throws {
        self.folder = folder
        let fm = FileManager.default
        let index = folder + "/model.safetensors.index.json"
        let single = folder + "/model.safetensors"
        if fm.fileExists(atPath: index) {
            let data = try Data(contentsOf: URL(fileURLWithPath: index))
            guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let map = obj["weight_map"] as? [String: String] else {
                throw FormatError(index, "not a safetensors index (no \"weight_map\" object)")
            }
            location = map
        } else if fm.fileExists(atPath: single) {
            let f = try SafeTensors.File(path: single)
            files["model.safetensors"] = f
            location = Dictionary(f.names.map { ($0, "model.safetensors") }, uniquingKeysWith: { a, _ in a })
        } else {
            throw FormatError(folder, "no model.safetensors or model.safetensors.index.json")
        }
    }

    public var names: [String] { location.keys.sorted() }

    public func contains(_ name: String) -> Bool { location[name] != nil }

    public func tensor(_ name: String) throws -> Tensor {
        guard let file = location[name] else { throw FormatError(folder, "missing tensor \(name)") }
        if files[file] == nil { files[file] = try SafeTensors.File(path: folder + "/" + file) }
        return try files[file]!.tensor(name)
    }
}
