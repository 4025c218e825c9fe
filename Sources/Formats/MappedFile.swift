import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A whole file mapped into memory (copy-on-write), kept alive by the tensors that view it.
public final class MappedFile {
    public let path: String
    public let bytes: UnsafeMutableRawPointer
    public let count: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FormatError(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FormatError(path, "cannot stat: \(String(cString: strerror(errno)))") }
        count = Int(st.st_size)
        if count == 0 {
            bytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64)
            return
        }
        // MAP_PRIVATE + PROT_WRITE: tensors that view the file may be modified in place
        // (fine-tuning) without touching the file.
        let p = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw FormatError(path, "cannot map: \(String(cString: strerror(errno)))") }
        bytes = p
    }

    deinit {
        if count == 0 { bytes.deallocate() } else { munmap(bytes, count) }
    }
}
