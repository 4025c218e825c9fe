/// A one-dimensional extendible dataset of fixed-size numbers that is written a chunk at a
/// time: values collect in memory until at least one chunk is full, then all whole chunks go
/// to the file (each compressed once), and `finish()` writes the partial last chunk.
/// Memory is bounded by one chunk plus the largest single append.
///
/// Call everything under `HDF5Library.locked`.
final class BufferedColumn<Element: FixedWidthInteger> {
    private let dataset: ExtendibleDataset
    private let chunkRows: Int
    private var pending: [Element] = []

    init(in file: HDF5File, path: String, type: HDF5ElementType, chunkRows: Int, compressionLevel: Int?) throws {
        precondition(MemoryLayout<Element>.size == (type == .int64 ? 8 : type == .int32 ? 4 : 1), "element type does not match \(type.name)")
        self.dataset = try ExtendibleDataset(in: file, path: path, type: type, chunkRows: chunkRows, compressionLevel: compressionLevel)
        self.chunkRows = chunkRows
        pending.reserveCapacity(chunkRows * 2)
    }

    /// Values appended so far, written or not.
    var count: Int { dataset.rowCount + pending.count }

    func append(_ value: Element) throws {
        pending.append(value)
        if pending.count >= chunkRows { try writeWholeChunks() }
    }

    func append<C: Collection>(contentsOf values: C) throws where C.Element == Element {
        pending.append(contentsOf: values)
        if pending.count >= chunkRows { try writeWholeChunks() }
    }

    /// Writes what is left (the last, partial chunk).
    func finish() throws {
        try pending.withUnsafeBytes { try dataset.append($0.baseAddress!, rows: pending.count) }
        pending.removeAll()
    }

    private func writeWholeChunks() throws {
        let whole = pending.count / chunkRows * chunkRows
        try pending.withUnsafeBytes { try dataset.append($0.baseAddress!, rows: whole) }
        pending.removeFirst(whole)
    }
}
