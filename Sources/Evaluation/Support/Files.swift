import Foundation

/// A whole file, or `EvaluationError.unreadable`.
func readBytes(_ url: URL) throws -> [UInt8] {
    do {
        return [UInt8](try Data(contentsOf: url))
    } catch {
        throw EvaluationError.unreadable(path: url.path, reason: error.localizedDescription)
    }
}

/// Folder listing for the converters: sorted names, hidden entries left out, so conversions
/// are reproducible.
func contents(of folder: URL) throws -> [String] {
    do {
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
    } catch {
        throw EvaluationError.unreadable(path: folder.path, reason: error.localizedDescription)
    }
}

func isFolder(_ url: URL) -> Bool {
    var folder: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &folder) && folder.boolValue
}

func isFile(_ url: URL) -> Bool {
    var folder: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &folder) && !folder.boolValue
}
