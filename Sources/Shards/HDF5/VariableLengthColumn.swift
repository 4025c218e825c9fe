import CHDF5

/// A one-dimensional extendible dataset of variable-length values (vlen uint8 or vlen
/// UTF-8 strings). HDF5 keeps the values themselves in the file's global heap and only
/// 16-byte references in the chunks, so these datasets are chunked but not compressed:
/// squeezing the references gains nothing, and encoded images are already compressed.
///
/// Values collect until a chunk's worth of rows or `flushBytes` of data is pending, then
/// go to the file in one write, which bounds memory for large encoded images.
///
/// Call everything under `HDF5Library.locked`.
final class VariableLengthColumn {
    private let dataset: ExtendibleDataset
    private let type: HDF5ElementType
    private let chunkRows: Int
    private let flushBytes: Int
    private var pending: [[UInt8]] = []
    private var pendingBytes = 0

    init(in file: HDF5File, path: String, type: HDF5ElementType, chunkRows: Int, flushBytes: Int = 16 << 20) throws {
        precondition(type == .variableBytes || type == .variableString)
        self.dataset = try ExtendibleDataset(in: file, path: path, type: type, chunkRows: chunkRows, compressionLevel: nil)
        self.type = type
        self.chunkRows = chunkRows
        self.flushBytes = flushBytes
    }

    var count: Int { dataset.rowCount + pending.count }

    /// Appends one value; a string is passed as its UTF-8 bytes (without a terminator).
    func append(_ bytes: [UInt8]) throws {
        pending.append(bytes)
        pendingBytes += bytes.count
        if pending.count >= chunkRows || pendingBytes >= flushBytes { try flush() }
    }

    func finish() throws { try flush() }

    /// Writes the pending values from one contiguous copy, pointed into by `hvl_t`s (bytes)
    /// or by NUL-terminated `char *`s (strings).
    private func flush() throws {
        guard !pending.isEmpty else { return }
        let terminator = type == .variableString ? 1 : 0
        var storage = [UInt8]()
        storage.reserveCapacity(pendingBytes + pending.count * terminator)
        var starts = [Int]()
        starts.reserveCapacity(pending.count)
        for value in pending {
            starts.append(storage.count)
            storage.append(contentsOf: value)
            if terminator == 1 { storage.append(0) }
        }
        try storage.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 1)!
            if type == .variableString {
                let pointers = starts.map { UnsafePointer<CChar>?(base.advanced(by: $0).assumingMemoryBound(to: CChar.self)) }
                try pointers.withUnsafeBytes { try dataset.append($0.baseAddress!, rows: pointers.count) }
            } else {
                let references = zip(starts, pending).map { hvl_t(len: $0.1.count, p: base.advanced(by: $0.0)) }
                try references.withUnsafeBytes { try dataset.append($0.baseAddress!, rows: references.count) }
            }
        }
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }
}
