import Checksums
#if canImport(Glibc)
import Glibc
#endif

extension SHA256 {
    /// The SHA-256 of a file's bytes, read in 1 MiB pieces.
    public static func hashFile(atPath path: String) throws -> SHA256Digest {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ShardError(errno == ENOENT ? .missingFile : .ioFailure, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw ShardError(.ioFailure, file: path, "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalize()
    }
}
