import CHDF5
import Foundation

/// How much of a dataset's decompressed chunks HDF5 keeps in memory while reading.
struct ChunkCache {
    /// Hash-table slots; HDF5 advises a prime about 100 times the chunks that fit.
    let slots: Int
    let bytes: Int

    /// No cache: every read decompresses its chunks. Right for pixels, where one read is
    /// one whole chunk (one image) and an image is not read twice in a row.
    static let none = ChunkCache(slots: 1, bytes: 0)
}

/// An existing dataset opened for reading: its checked element type and shape, and reads of
/// rows (ranges of the first dimension). Call everything under `HDF5Library.locked`.
final class StoredDataset {
    let path: String
    let type: HDF5ElementType
    /// The current shape, first dimension first.
    let shape: [Int]
    private let file: HDF5File
    private let handle: HDF5Handle
    private let memoryType: HDF5Handle
    /// Kept and reselected for every read rather than fetched anew.
    private let fileSpace: HDF5Handle

    /// Opens `path` and checks its element type and rank; throws `missingDataset`,
    /// `wrongType` or `wrongShape` (naming the file and the dataset) otherwise.
    init(in file: HDF5File, path: String, type: HDF5ElementType, rank: Int, cache: ChunkCache?) throws {
        self.file = file
        self.path = path
        self.type = type
        guard file.exists(path) else { throw ShardError(.missingDataset, file: file.displayName, object: path, "dataset is missing") }

        var access: HDF5Handle?
        if let cache {
            let list = H5Pcreate(HDF5.datasetAccessClass)
            guard list >= 0 else { throw file.failure(.ioFailure, path, "H5Pcreate failed") }
            access = HDF5Handle(list, .propertyList)
            guard H5Pset_chunk_cache(list, cache.slots, cache.bytes, 0.75) >= 0 else { throw file.failure(.ioFailure, path, "cannot set chunk cache") }
        }
        let id = H5Dopen2(file.handle.id, path, access?.id ?? HDF5.defaultList)
        guard id >= 0 else {
            throw file.failure(.missingDataset, path, "cannot open as a dataset")
        }
        handle = HDF5Handle(id, .dataset)

        let typeId = H5Dget_type(id)
        guard typeId >= 0 else { throw file.failure(.ioFailure, path, "cannot read type") }
        let storedType = HDF5Handle(typeId, .datatype)
        guard type.matches(storedType.id) else {
            throw ShardError(.wrongType, file: file.displayName, object: path, "has type \(HDF5ElementType.describe(storedType.id)), expected \(type.name)")
        }
        guard let memoryType = type.makeMemoryType(matching: storedType.id) else { throw file.failure(.ioFailure, path, "cannot make the memory type") }
        self.memoryType = memoryType

        let spaceId = H5Dget_space(id)
        guard spaceId >= 0 else { throw file.failure(.ioFailure, path, "cannot read shape") }
        fileSpace = HDF5Handle(spaceId, .dataspace)
        let storedRank = Int(H5Sget_simple_extent_ndims(spaceId))
        guard storedRank == rank else {
            throw ShardError(.wrongShape, file: file.displayName, object: path, "has \(storedRank) dimensions, expected \(rank)")
        }
        var dims = [hsize_t](repeating: 0, count: rank)
        guard H5Sget_simple_extent_dims(spaceId, &dims, nil) >= 0 else { throw file.failure(.ioFailure, path, "cannot read shape") }
        shape = dims.map { Int($0) }
    }

    var rowCount: Int { shape[0] }
    var elementsPerRow: Int { shape.dropFirst().reduce(1, *) }

    /// "[12, 64, 64, 3]", for messages.
    var shapeText: String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    /// Reads rows `rows` into `destination`, which holds `rows.count * elementsPerRow`
    /// elements of the memory type (native integers, `hvl_t`, or `char *`).
    func read(rows: Range<Int>, into destination: UnsafeMutableRawPointer) throws {
        guard !rows.isEmpty else { return }
        let memorySpace = try select(rows)
        guard H5Dread(handle.id, memoryType.id, memorySpace.id, fileSpace.id, HDF5.defaultList, destination) >= 0 else {
            throw file.failure(.ioFailure, path, "cannot read rows \(rows.lowerBound)..<\(rows.upperBound)")
        }
    }

    /// All values of a one-dimensional integer dataset.
    func readAll<Element: FixedWidthInteger>(as: Element.Type) throws -> [Element] {
        var values = [Element](repeating: 0, count: rowCount * elementsPerRow)
        try values.withUnsafeMutableBytes { try read(rows: 0..<rowCount, into: $0.baseAddress!) }
        return values
    }

    /// Rows of a vlen uint8 dataset, copied out (HDF5's buffers are reclaimed at once).
    func readByteArrays(rows: Range<Int>) throws -> [[UInt8]] {
        guard !rows.isEmpty else { return [] }
        var references = [hvl_t](repeating: hvl_t(len: 0, p: nil), count: rows.count)
        let memorySpace = try select(rows)
        try references.withUnsafeMutableBytes { raw in
            guard H5Dread(handle.id, memoryType.id, memorySpace.id, fileSpace.id, HDF5.defaultList, raw.baseAddress!) >= 0 else {
                throw file.failure(.ioFailure, path, "cannot read rows \(rows.lowerBound)..<\(rows.upperBound)")
            }
        }
        let values = references.map { reference -> [UInt8] in
            guard let pointer = reference.p, reference.len > 0 else { return [] }
            return Array(UnsafeRawBufferPointer(start: pointer, count: reference.len))
        }
        references.withUnsafeMutableBytes { _ = H5Dvlen_reclaim(memoryType.id, memorySpace.id, HDF5.defaultList, $0.baseAddress!) }
        return values
    }

    /// Rows of a vlen string dataset (invalid UTF-8 is repaired, not rejected).
    func readStrings(rows: Range<Int>) throws -> [String] {
        guard !rows.isEmpty else { return [] }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: rows.count)
        let memorySpace = try select(rows)
        try pointers.withUnsafeMutableBytes { raw in
            guard H5Dread(handle.id, memoryType.id, memorySpace.id, fileSpace.id, HDF5.defaultList, raw.baseAddress!) >= 0 else {
                throw file.failure(.ioFailure, path, "cannot read rows \(rows.lowerBound)..<\(rows.upperBound)")
            }
        }
        let values = pointers.map { pointer -> String in
            guard let pointer else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
        }
        pointers.withUnsafeMutableBytes { _ = H5Dvlen_reclaim(memoryType.id, memorySpace.id, HDF5.defaultList, $0.baseAddress!) }
        return values
    }

    /// Selects `rows` (all of every other dimension) in the file space and returns a
    /// matching memory space.
    private func select(_ rows: Range<Int>) throws -> HDF5Handle {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= rowCount, "rows \(rows) outside \(path) \(shapeText)")
        var start = [hsize_t](repeating: 0, count: shape.count)
        start[0] = hsize_t(rows.lowerBound)
        var count = shape.map { hsize_t($0) }
        count[0] = hsize_t(rows.count)
        guard H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &count, nil) >= 0 else {
            throw file.failure(.ioFailure, path, "cannot select rows")
        }
        let memorySpace = H5Screate_simple(Int32(count.count), &count, nil)
        guard memorySpace >= 0 else { throw file.failure(.ioFailure, path, "H5Screate_simple failed") }
        return HDF5Handle(memorySpace, .dataspace)
    }
}
