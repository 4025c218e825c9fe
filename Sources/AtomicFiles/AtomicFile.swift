import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files that appear complete or not at all: data goes to a hidden temporary file in the
/// target's folder (`.model.safetensors.tmp-<pid>`), is flushed to disk, then renamed over the
/// target, and the folder entry is flushed too. A failure (full disk, say) removes the
/// temporary file and leaves any existing target untouched. Checkpoints, adapters, exported
/// models and shards all write through here, so a crash never leaves a half-written file.
public enum AtomicFile {
    /// The hidden temporary name next to `path` that `commit` renames from: for writers that
    /// produce the file themselves (libhdf5 writing a shard).
    public static func temporaryPath(for path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "." : dir) + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        let tmp = temporaryPath(for: path)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileError(path, "cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        try data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    let msg = String(cString: strerror(errno))
                    close(fd)
                    throw FileError(path, "write failed: \(msg)")
                }
                done += n
            }
        }
        guard fsync(fd) == 0 else {
            let msg = String(cString: strerror(errno))
            close(fd)
            throw FileError(path, "fsync failed: \(msg)")
        }
        close(fd)
        try rename(tmp, to: path)
        ok = true
    }

    /// Flushes the finished temporary file `temporary` to disk and renames it to `path`.
    public static func commit(_ temporary: String, to path: String) throws {
        let fd = open(temporary, O_RDONLY)
        guard fd >= 0 else { throw FileError(path, "cannot open \(temporary): \(String(cString: strerror(errno)))") }
        let synced = fsync(fd) == 0
        let syncError = errno
        close(fd)
        guard synced else { throw FileError(path, "fsync failed: \(String(cString: strerror(syncError)))") }
        try rename(temporary, to: path)
    }

    private static func rename(_ tmp: String, to path: String) throws {
        guard Glibc.rename(tmp, path) == 0 else { throw FileError(path, "rename failed: \(String(cString: strerror(errno)))") }
        let dir = (path as NSString).deletingLastPathComponent
        syncDirectory(dir.isEmpty ? "." : dir)
    }

    /// Flushes a directory entry (after a rename) so the new name survives a crash.
    public static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}

/// A problem with a file vlmtune reads or writes. The description is one line: what is
/// wrong (naming the tensor, key or line where it applies), then the file. Thrown by
/// `AtomicFile`, and by the file formats as `FormatError`.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let message: String

    public init(_ file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(message): \(file)" }
}
