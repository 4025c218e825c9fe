import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files that appear complete or not at all: written under a hidden temporary name in the
/// target's folder (`.shard-00003.h5.tmp-<pid>`), flushed to disk, then renamed over the
/// target, so a crash or an error never leaves a half-written `shard-*.h5` or `index.json`.
enum FileReplacement {
    /// The hidden temporary name next to `path` that `commit` renames from.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    }

    /// Flushes `temporary` to disk and renames it to `path`, then flushes the folder entry.
    static func commit(_ temporary: String, to path: String) throws {
        let descriptor = open(temporary, O_RDONLY)
        guard descriptor >= 0 else { throw systemError(path, "cannot open \(temporary)") }
        let synced = fsync(descriptor) == 0
        let syncError = errno
        close(descriptor)
        guard synced else { errno = syncError; throw systemError(path, "fsync failed") }
        guard rename(temporary, path) == 0 else { throw systemError(path, "rename failed") }
        let folder = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Writes `data` to `path` atomically.
    static func write(_ data: Data, to path: String) throws {
        let temporary = temporaryPath(for: path)
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
            try commit(temporary, to: path)
        } catch {
            unlink(temporary)
            if error is ShardError { throw error }
            throw ShardError(.ioFailure, file: path, "cannot write: \(error.localizedDescription)")
        }
    }

    private static func systemError(_ path: String, _ what: String) -> ShardError {
        ShardError(.ioFailure, file: path, "\(what): \(String(cString: strerror(errno)))")
    }
}
