import Foundation

/// Scalars as TensorBoard event files (TFRecord framing of `Event` protocol buffers with
/// masked CRC-32C), so `tensorboard --logdir Checkpoints/` shows vlmtune runs like others.
public final class TensorBoardWriter {
    let handle: FileHandle
    public let path: String

    public init(folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName
        path = folder + "/events.out.tfevents.\(Int(Date().timeIntervalSince1970)).\(host)"
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else { throw TrainingError("cannot write TensorBoard events", at: path) }
        handle = h
        var event = Data()
        TensorBoardWriter.double(&event, field: 1, Date().timeIntervalSince1970)
        TensorBoardWriter.bytes(&event, field: 3, Data("brain.Event:2".utf8))
        write(record: event)
    }

    deinit { try? handle.close() }

    /// Appends one event with `scalars` at `step`.
    public func add(step: Int, scalars: [(String, Double)]) {
        var summary = Data()
        for (tag, value) in scalars {
            var v = Data()
            TensorBoardWriter.bytes(&v, field: 1, Data(tag.utf8))
            v.append(0x15)  // field 2, fixed32: simple_value
            var f = Float(value).bitPattern.littleEndian
            withUnsafeBytes(of: &f) { v.append(contentsOf: $0) }
            TensorBoardWriter.bytes(&summary, field: 1, v)
        }
        var event = Data()
        TensorBoardWriter.double(&event, field: 1, Date().timeIntervalSince1970)
        event.append(0x10)  // field 2, varint: step
        TensorBoardWriter.varint(&event, UInt64(max(step, 0)))
        TensorBoardWriter.bytes(&event, field: 5, summary)
        write(record: event)
    }

    public func flush() { try? handle.synchronize() }

    func write(record: Data) {
        var out = Data()
        var len = UInt64(record.count).littleEndian
        let lenBytes = withUnsafeBytes(of: &len) { Data($0) }
        out.append(lenBytes)
        var c1 = CRC32C.masked(lenBytes).littleEndian
        withUnsafeBytes(of: &c1) { out.append(contentsOf: $0) }
        out.append(record)
        var c2 = CRC32C.masked(record).littleEndian
        withUnsafeBytes(of: &c2) { out.append(contentsOf: $0) }
        handle.write(out)
    }

    static func varint(_ d: inout Data, _ v: UInt64) {
        var x = v
        while x >= 0x80 {
            d.append(UInt8(x & 0x7F) | 0x80)
            x >>= 7
        }
        d.append(UInt8(x))
    }

    static func bytes(_ d: inout Data, field: Int, _ payload: Data) {
        varint(&d, UInt64(field << 3 | 2))
        varint(&d, UInt64(payload.count))
        d.append(payload)
    }

    static func double(_ d: inout Data, field: Int, _ v: Double) {
        varint(&d, UInt64(field << 3 | 1))
        var bits = v.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { d.append(contentsOf: $0) }
    }
}

/// CRC-32C (Castagnoli), as TFRecord uses, with TensorFlow's masking.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in data { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    static func masked(_ data: Data) -> UInt32 {
        let c = checksum(data)
        return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
    }
}
