import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes that never leave a half-written file: data goes to a temporary file in the same
/// folder, is flushed to disk, then renamed over the target. A failure (full disk, say)
/// removes the temporary file and leaves any existing target untouched.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = (dir.isEmpty ? "." : dir) + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FormatError(path, "cannot create \(tmp): \(String(cString: strerror(errno)))") }
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
                    throw FormatError(path, "write failed: \(msg)")
                }
                done += n
            }
        }
        guard fsync(fd) == 0 else {
            let msg = String(cString: strerror(errno))
            close(fd)
            throw FormatError(path, "fsync failed: \(msg)")
        }
        close(fd)
        guard rename(tmp, path) == 0 else { throw FormatError(path, "rename failed: \(String(cString: strerror(errno)))") }
        ok = true
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
