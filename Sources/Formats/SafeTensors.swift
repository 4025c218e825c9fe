import AtomicFiles
import Foundation
import Tensors

/// Reading and writing the safetensors format (https://github.com/huggingface/safetensors):
/// an 8-byte little-endian header length, a JSON header mapping names to dtype, shape and
/// data offsets, then the raw little-endian data.
///
/// Reading maps the file and returns tensors that view it without copying (bf16/f16 stay in
/// their storage type; ops convert on use). The header is validated as the reference
/// implementation does: size limit, offsets contiguous from 0 and ending exactly at the end
/// of the file, byte sizes equal to element count x dtype width.
public enum SafeTensors {
    /// The reference implementation's limit on header size.
    public static let maxHeaderSize = 100_000_000

    public struct Entry: Equatable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        public let begin: Int
        public let end: Int
    }

    /// Parsed header of a safetensors file.
    public struct Header {
        public let entries: [Entry]
        public let metadata: [String: String]
        public let dataStart: Int
    }

    public static func dtype(_ code: String) -> DType? {
        switch code {
        case "F32": return .float32
        case "BF16": return .bfloat16
        case "F16": return .float16
        case "I32": return .int32
        case "I64": return .int64
        case "U8", "BOOL": return .uint8
        default: return nil
        }
    }

    /// Parses and validates the header of a file of `fileSize` bytes starting at `base`.
    public static func parseHeader(_ base: UnsafeRawPointer, fileSize: Int, path: String) throws -> Header {
        guard fileSize >= 8 else { throw FormatError(path, "safetensors file is \(fileSize) bytes, shorter than its 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        guard n <= UInt64(maxHeaderSize) else { throw FormatError(path, "safetensors header of \(n) bytes exceeds the \(maxHeaderSize)-byte limit") }
        let headerSize = Int(n)
        guard 8 + headerSize <= fileSize else {
            throw FormatError(path, "safetensors header claims \(headerSize) bytes but the file has \(fileSize - 8) after the length (truncated?)")
        }
        let data = Data(bytes: base + 8, count: headerSize)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw FormatError(path, "safetensors header is not valid JSON: \(error.localizedDescription)")
        }
        guard let dict = json as? [String: Any] else { throw FormatError(path, "safetensors header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in dict {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw FormatError(path, "__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw FormatError(path, "__metadata__ value of \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw FormatError(path, "tensor \(name): header entry is not an object") }
            guard let code = info["dtype"] as? String else { throw FormatError(path, "tensor \(name): missing dtype") }
            guard let dt = dtype(code) else { throw FormatError(path, "tensor \(name): unsupported dtype \(code)") }
            guard let shapeAny = info["shape"] as? [Any], let shape = shapeAny.map({ ($0 as? NSNumber)?.intValue }) as? [Int],
                  shape.allSatisfy({ $0 >= 0 }) else {
                throw FormatError(path, "tensor \(name): shape is not a list of non-negative integers")
            }
            guard let offs = info["data_offsets"] as? [Any], offs.count == 2,
                  let b = (offs[0] as? NSNumber)?.intValue, let e = (offs[1] as? NSNumber)?.intValue, b >= 0, e >= b else {
                throw FormatError(path, "tensor \(name): data_offsets must be [begin, end] with begin <= end")
            }
            let elements = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
            guard e - b == elements * dt.size else {
                throw FormatError(path, "tensor \(name): \(e - b) bytes for shape \(shape) of \(code) (expected \(elements * dt.size))")
            }
            entries.append(Entry(name: name, dtype: dt, shape: shape, begin: b, end: e))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expected = 0
        for entry in entries {
            guard entry.begin == expected else {
                throw FormatError(path, "tensor \(entry.name): data starts at byte \(entry.begin), expected \(expected) (offsets must be contiguous)")
            }
            expected = entry.end
        }
        let dataSize = fileSize - 8 - headerSize
        guard expected == dataSize else {
            throw FormatError(path, "tensor data ends at byte \(expected) but the file holds \(dataSize) data bytes\(expected > dataSize ? " (truncated?)" : "")")
        }
        return Header(entries: entries, metadata: metadata, dataStart: 8 + headerSize)
    }

    /// A memory-mapped safetensors file.
    public final class File {
        public let path: String
        public let header: Header
        let mapped: MappedFile
        let byName: [String: Entry]

        public init(path: String) throws {
            self.path = path
            mapped = try MappedFile(path: path)
            header = try SafeTensors.parseHeader(UnsafeRawPointer(mapped.bytes), fileSize: mapped.count, path: path)
            byName = Dictionary(header.entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        }

        public var names: [String] { header.entries.map(\.name).sorted() }
        public var metadata: [String: String] { header.metadata }

        public func entry(_ name: String) -> Entry? { byName[name] }

        /// The named tensor, viewing the mapped file (no copy).
        public func tensor(_ name: String) throws -> Tensor {
            guard let e = byName[name] else { throw FormatError(path, "no tensor named \(name)") }
            let storage = Storage(borrowing: mapped.bytes + header.dataStart + e.begin, byteCount: e.end - e.begin, owner: mapped)
            return Tensor(storage: storage, shape: e.shape, strides: Shape.contiguousStrides(e.shape), offset: 0, dtype: e.dtype)
        }

        /// Every tensor, by name.
        public func tensors() throws -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for e in header.entries { out[e.name] = try tensor(e.name) }
            return out
        }
    }

    /// Reads every tensor of a file (views of the mapped file).
    public static func read(_ path: String) throws -> [String: Tensor] {
        try File(path: path).tensors()
    }

    /// Writes tensors to `path` atomically (temporary file, fsync, rename): keys sorted,
    /// `{"format":"pt"}` metadata, header padded with spaces to a multiple of 8 bytes.
    public static func write(_ tensors: [String: Tensor], to path: String, metadata: [String: String] = ["format": "pt"]) throws {
        let data = try encode(tensors, metadata: metadata, path: path)
        try AtomicFile.write(data, to: path)
    }

    /// The file contents for `tensors`.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = ["format": "pt"], path: String = "<memory>") throws -> Data {
        let names = tensors.keys.sorted()
        var header = "{"
        if !metadata.isEmpty {
            header += "\"__metadata__\":{" + metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",") + "}"
        }
        var offset = 0
        var parts: [(Tensor, Int)] = []
        for name in names {
            let t = tensors[name]!
            let c = t.isContiguous ? t : t.copy()
            let bytes = c.count * c.dtype.size
            let code: String
            switch c.dtype {
            case .float32: code = "F32"
            case .bfloat16: code = "BF16"
            case .float16: code = "F16"
            case .int32: code = "I32"
            case .int64: code = "I64"
            case .uint8: code = "U8"
            }
            if header.count > 1 { header += "," }
            header += "\(jsonString(name)):{\"dtype\":\"\(code)\",\"shape\":[\(c.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            parts.append((c, bytes))
            offset += bytes
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = Data(capacity: 8 + headerBytes.count + offset)
        var n = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for (t, bytes) in parts {
            out.append(Data(bytes: t.storage.bytes + t.offset * t.dtype.size, count: bytes))
        }
        return out
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
