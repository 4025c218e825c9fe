import CHDF5

/// A chunked dataset whose first dimension grows as rows are appended (maximum shape
/// `[unlimited, rowShape...]`), optionally compressed with the Zstandard filter.
///
/// Rows go straight to the file: each `append` extends the dataset and writes a hyperslab.
/// The writer's chunk cache is switched off, so a write of whole chunks is compressed and
/// written at once and nothing accumulates in HDF5's memory; callers that buffer (see
/// `BufferedColumn`) hand over whole chunks, so each chunk is compressed exactly once.
///
/// Call everything under `HDF5Library.locked`.
final class ExtendibleDataset {
    let path: String
    let rowShape: [hsize_t]
    let elementsPerRow: Int
    private(set) var rowCount = 0
    private let file: HDF5File
    private let handle: HDF5Handle
    private let memoryType: HDF5Handle

    init(in file: HDF5File, path: String, type: HDF5ElementType, rowShape: [Int] = [], chunkRows: Int, compressionLevel: Int?) throws {
        self.file = file
        self.path = path
        self.rowShape = rowShape.map { hsize_t($0) }
        self.elementsPerRow = rowShape.reduce(1, *)

        let rank = Int32(1 + rowShape.count)
        let creation = try Self.check(file, path, H5Pcreate(HDF5.datasetCreateClass), .propertyList, "H5Pcreate")
        var chunk = [hsize_t(max(chunkRows, 1))] + self.rowShape
        guard H5Pset_chunk(creation.id, rank, &chunk) >= 0 else { throw file.failure(.ioFailure, path, "cannot set chunk shape") }
        if let compressionLevel {
            var values = [UInt32(bitPattern: Int32(compressionLevel))]
            guard H5Pset_filter(creation.id, H5Z_filter_t(ZstdFilter.id), HDF5.mandatoryFilter, 1, &values) >= 0 else {
                throw file.failure(.ioFailure, path, "cannot add the zstd filter")
            }
        }
        // No chunk cache while writing: whole chunks are written through, so memory stays flat.
        let access = try Self.check(file, path, H5Pcreate(HDF5.datasetAccessClass), .propertyList, "H5Pcreate")
        guard H5Pset_chunk_cache(access.id, 1, 0, 1.0) >= 0 else { throw file.failure(.ioFailure, path, "cannot set chunk cache") }

        var current = [hsize_t(0)] + self.rowShape
        var maximum = [HDF5.unlimited] + self.rowShape
        let space = try Self.check(file, path, H5Screate_simple(rank, &current, &maximum), .dataspace, "H5Screate_simple")
        guard let fileType = type.makeFileType(), let memoryType = type.makeMemoryType(matching: nil) else {
            throw file.failure(.ioFailure, path, "cannot make the \(type.name) type")
        }
        self.memoryType = memoryType
        let id = H5Dcreate2(file.handle.id, path, fileType.id, space.id, HDF5.defaultList, creation.id, access.id)
        self.handle = try Self.check(file, path, id, .dataset, "cannot create dataset")
    }

    /// Appends `rows` rows from `data`, laid out as the memory type of this dataset
    /// (`rows * elementsPerRow` elements).
    func append(_ data: UnsafeRawPointer, rows: Int) throws {
        guard rows > 0 else { return }
        var extent = [hsize_t(rowCount + rows)] + rowShape
        guard H5Dset_extent(handle.id, &extent) >= 0 else { throw file.failure(.ioFailure, path, "cannot extend dataset") }
        let fileSpace = try Self.check(file, path, H5Dget_space(handle.id), .dataspace, "H5Dget_space")
        var start = [hsize_t(rowCount)] + rowShape.map { _ in 0 }
        var count = [hsize_t(rows)] + rowShape
        guard H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &count, nil) >= 0 else {
            throw file.failure(.ioFailure, path, "cannot select rows")
        }
        let memorySpace = try Self.check(file, path, H5Screate_simple(Int32(count.count), &count, nil), .dataspace, "H5Screate_simple")
        guard H5Dwrite(handle.id, memoryType.id, memorySpace.id, fileSpace.id, HDF5.defaultList, data) >= 0 else {
            throw file.failure(.ioFailure, path, "cannot write \(rows) rows")
        }
        rowCount += rows
    }

    private static func check(_ file: HDF5File, _ path: String, _ id: hid_t, _ kind: HDF5Handle.Kind, _ what: String) throws -> HDF5Handle {
        guard id >= 0 else { throw file.failure(.ioFailure, path, what) }
        return HDF5Handle(id, kind)
    }
}
