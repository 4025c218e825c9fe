import AtomicFiles
import Foundation
import Formats

/// The `checkpoints/` folder of a run: `step-NNNNNNN/` folders, each written to a temporary
/// folder, flushed and renamed into place, and a `latest` file naming the newest complete
/// one. A failure while writing (a full disk, say) removes the partial folder and leaves
/// every earlier checkpoint and `latest` as they were.
public struct CheckpointStore {
    public let folder: String
    public let keepLast: Int

    public init(runFolder: String, keepLast: Int) {
        folder = runFolder + "/checkpoints"
        self.keepLast = keepLast
    }

    public static func name(step: Int) -> String { String(format: "step-%07d", step) }

    /// Writes a checkpoint through `write(temporaryFolder)`, then publishes it.
    @discardableResult
    public func save(step: Int, _ write: (String) throws -> Void) throws -> String {
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let final = folder + "/" + CheckpointStore.name(step: step)
        let tmp = folder + "/.tmp-" + CheckpointStore.name(step: step)
        try? fm.removeItem(atPath: tmp)
        do {
            try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            try write(tmp)
            try CheckpointStore.syncTree(tmp)
            if fm.fileExists(atPath: final) { try fm.removeItem(atPath: final) }
            try fm.moveItem(atPath: tmp, toPath: final)
            AtomicFile.syncDirectory(folder)
            try AtomicFile.write(Data((CheckpointStore.name(step: step) + "\n").utf8), to: folder + "/latest")
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw TrainingError("cannot save checkpoint \(CheckpointStore.name(step: step)) (\(error)); earlier checkpoints are intact", at: folder)
        }
        prune()
        return final
    }

    /// The newest complete checkpoint, by `latest` (falling back to the highest complete step folder).
    public func latest() -> String? {
        let fm = FileManager.default
        if let text = try? String(contentsOfFile: folder + "/latest", encoding: .utf8) {
            let path = folder + "/" + text.trimmingCharacters(in: .whitespacesAndNewlines)
            if CheckpointStore.isComplete(path) { return path }
        }
        let steps = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("step-") }.sorted()
        return steps.reversed().map { folder + "/" + $0 }.first(where: CheckpointStore.isComplete)
    }

    public static func isComplete(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/state.json") && FileManager.default.fileExists(atPath: path + "/trainable.safetensors")
    }

    /// Deletes step folders beyond the newest `keepLast` (and stale temporaries).
    func prune() {
        let fm = FileManager.default
        let entries = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
        let steps = entries.filter { $0.hasPrefix("step-") }.sorted()
        if keepLast > 0 && steps.count > keepLast {
            for s in steps.prefix(steps.count - keepLast) { try? fm.removeItem(atPath: folder + "/" + s) }
        }
    }

    /// fsyncs every file under `path` (data reaches the disk before the rename publishes it).
    static func syncTree(_ path: String) throws {
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: path) else { return }
        for case let rel as String in e {
            let fd = open(path + "/" + rel, O_RDONLY)
            if fd >= 0 {
                fsync(fd)
                close(fd)
            }
        }
        AtomicFile.syncDirectory(path)
    }
}
