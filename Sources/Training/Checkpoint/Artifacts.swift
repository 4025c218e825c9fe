import AtomicFiles
import Foundation
import Formats
import Layers
import Models
import Tensors

/// Files other tools read: LLaVA's projector and non-LoRA-trainables files, and Hugging
/// Face model folders.
public enum Artifacts {
    /// LLaVA's stage 1 output: `model.mm_projector.<i>.weight/bias`.
    public static func writeProjector(_ p: Projector, to path: String) throws {
        var out: [String: Tensor] = [:]
        for (k, t) in p.namedParameters() { out["model.mm_projector." + k] = t }
        try SafeTensors.write(out, to: path, metadata: ["format": "pt", "mm_projector_type": p.kind.name])
    }

    /// Reads projector weights from a LLaVA `mm_projector` file, a checkpoint folder that has
    /// one, or a run folder (its newest checkpoint).
    public static func loadProjector(_ p: Projector, from path: String) throws {
        var file = path
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            let folder = CheckpointStore(runFolder: path, keepLast: 0).latest() ?? path
            file = folder + "/mm_projector.safetensors"
        }
        let tensors = try SafeTensors.read(file)
        // LLaVA's mm_projector keys, its non_lora_trainables keys (PEFT-wrapped), or bare ones.
        try p.load(.base, from: { key in
            tensors["model.mm_projector." + key] ?? tensors["base_model.model.model.mm_projector." + key] ?? tensors[key]
        }, origin: file)
    }

    /// LLaVA's stage 2 companion of the adapter: trainable weights that are not LoRA (the projector).
    public static func writeNonLoRATrainables(_ m: LlavaModel, to path: String) throws {
        var out: [String: Tensor] = [:]
        for (k, t) in m.projector.namedParameters() { out["base_model.model.model.mm_projector." + k] = t }
        try SafeTensors.write(out, to: path)
    }

    /// A Hugging Face folder: config.json + model.safetensors (f32).
    public static func writeHFFolder(_ m: Module, config: [String: Any], to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var tensors: [String: Tensor] = [:]
        for (k, t) in m.namedParameters(.base) { tensors[k] = t.dtype == .float32 ? t : t.cast(.float32) }
        try SafeTensors.write(tensors, to: folder + "/model.safetensors")
        let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(data, to: folder + "/config.json")
    }
}
