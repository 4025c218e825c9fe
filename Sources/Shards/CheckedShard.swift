import CHDF5

/// A shard file whose layout has been checked, with its datasets open and its offsets and
/// modalities in memory. Built under `HDF5Library.locked`, by `ShardReader`.
///
/// The checks, in order, each failing with a `ShardError` that names the file and the
/// dataset or attribute: root `format` and `version`; `/tokens/offsets` (defines N);
/// `/images/offsets`, `/samples/modality` and `/samples/id` with N(+1) rows; `/tokens/*`
/// of one length T; one image storage with its shape; offsets from 0, never decreasing,
/// ending at T and M; modalities 0, 1 or 2.
struct CheckedShard {
    let file: HDF5File
    let inputIds: StoredDataset
    let labels: StoredDataset
    let sampleIds: StoredDataset
    let pixels: StoredDataset?
    let encodedImages: StoredDataset?
    let encodedFormats: StoredDataset?
    let imageCount: Int
    let tokenOffsets: [Int64]
    let imageOffsets: [Int64]
    let modalities: [Modality]

    init(_ file: HDF5File) throws {
        typealias P = ShardLayout.Path
        typealias Caching = ShardReader.Caching
        let path = file.displayName
        self.file = file
        try Self.checkRootAttributes(file)

        let tokenOffsetsSet = try StoredDataset(in: file, path: P.tokenOffsets, type: .int64, rank: 1, cache: nil)
        guard tokenOffsetsSet.rowCount >= 1 else {
            throw ShardError(.wrongShape, file: path, object: P.tokenOffsets, "is empty, expected N+1 >= 1 offsets")
        }
        let sampleCount = tokenOffsetsSet.rowCount - 1
        func requireRows(_ dataset: StoredDataset, _ expected: Int, _ meaning: String) throws {
            guard dataset.rowCount == expected else {
                throw ShardError(.wrongShape, file: path, object: dataset.path, "has shape \(dataset.shapeText), expected [\(expected)] (\(meaning))")
            }
        }
        let imageOffsetsSet = try StoredDataset(in: file, path: P.imageOffsets, type: .int64, rank: 1, cache: nil)
        try requireRows(imageOffsetsSet, sampleCount + 1, "N+1 for the N = \(sampleCount) samples of \(P.tokenOffsets)")
        let modalitySet = try StoredDataset(in: file, path: P.modality, type: .uint8, rank: 1, cache: nil)
        try requireRows(modalitySet, sampleCount, "one per sample")
        sampleIds = try StoredDataset(in: file, path: P.sampleIds, type: .variableString, rank: 1, cache: Caching.references)
        try requireRows(sampleIds, sampleCount, "one per sample")
        inputIds = try StoredDataset(in: file, path: P.inputIds, type: .int32, rank: 1, cache: Caching.tokens)
        labels = try StoredDataset(in: file, path: P.labels, type: .int32, rank: 1, cache: Caching.tokens)
        try requireRows(labels, inputIds.rowCount, "as long as \(P.inputIds)")

        (pixels, encodedImages, encodedFormats) = try Self.openImages(file)
        imageCount = pixels?.rowCount ?? encodedImages!.rowCount
        if let encodedFormats { try requireRows(encodedFormats, imageCount, "one per image in \(P.encoded)") }

        tokenOffsets = try tokenOffsetsSet.readAll(as: Int64.self)
        try Self.checkOffsets(tokenOffsets, total: inputIds.rowCount, file: path, path: P.tokenOffsets, of: P.inputIds)
        imageOffsets = try imageOffsetsSet.readAll(as: Int64.self)
        try Self.checkOffsets(imageOffsets, total: imageCount, file: path, path: P.imageOffsets, of: pixels?.path ?? P.encoded)
        modalities = try modalitySet.readAll(as: UInt8.self).enumerated().map { sample, raw -> Modality in
            guard let modality = Modality(rawValue: raw) else {
                throw ShardError(.invalidValue, file: path, object: P.modality, "sample \(sample) has modality \(raw), expected 0 (text), 1 (image) or 2 (video)")
            }
            return modality
        }
    }

    private static func checkRootAttributes(_ file: HDF5File) throws {
        let format: String?
        do { format = try file.readStringAttribute("format") } catch let error as ShardError where error.kind == .wrongType || error.kind == .wrongShape {
            throw ShardError(.foreignFile, file: file.displayName, object: "@format", "\(error.problem): not a vlmtune shard")
        }
        guard let format else {
            throw ShardError(.foreignFile, file: file.displayName, object: "@format", "attribute is missing: not a vlmtune shard")
        }
        guard format == ShardLayout.formatName else {
            throw ShardError(.foreignFile, file: file.displayName, object: "@format", "is \"\(format)\", expected \"\(ShardLayout.formatName)\"")
        }
        guard let version = try file.readIntegerAttribute("version") else {
            throw ShardError(.unsupportedVersion, file: file.displayName, object: "@version", "attribute is missing")
        }
        guard version == ShardLayout.version else {
            throw ShardError(.unsupportedVersion, file: file.displayName, object: "@version", "is \(version), this vlmtune reads version \(ShardLayout.version)")
        }
    }

    /// Exactly one of the two image storages must be present, with its datasets' shapes.
    private static func openImages(_ file: HDF5File) throws -> (StoredDataset?, StoredDataset?, StoredDataset?) {
        typealias P = ShardLayout.Path
        let hasPixels = file.exists(P.pixels), hasEncoded = file.exists(P.encoded)
        switch (hasPixels, hasEncoded) {
        case (true, false):
            let pixels = try StoredDataset(in: file, path: P.pixels, type: .uint8, rank: 4, cache: ShardReader.Caching.pixels)
            let shape = pixels.shape
            guard shape[1] == shape[2], shape[1] > 0, shape[3] == 3 else {
                throw ShardError(.wrongShape, file: file.displayName, object: P.pixels, "has shape \(pixels.shapeText), expected [M, S, S, 3]")
            }
            return (pixels, nil, nil)
        case (false, true):
            let encoded = try StoredDataset(in: file, path: P.encoded, type: .variableBytes, rank: 1, cache: ShardReader.Caching.references)
            let formats = try StoredDataset(in: file, path: P.encodedFormat, type: .variableString, rank: 1, cache: ShardReader.Caching.references)
            return (nil, encoded, formats)
        case (true, true):
            throw ShardError(.wrongShape, file: file.displayName, object: "/images", "holds both pixels and encoded, expected one storage")
        case (false, false):
            throw ShardError(.missingDataset, file: file.displayName, object: P.pixels, "dataset is missing (and so is \(P.encoded))")
        }
    }

    /// Offsets must start at 0, never decrease, and end at the length of what they index.
    static func checkOffsets(_ offsets: [Int64], total: Int, file: String, path: String, of target: String) throws {
        guard offsets.first == 0 else {
            throw ShardError(.inconsistentOffsets, file: file, object: path, "starts at \(offsets.first.map(String.init) ?? "nothing"), expected 0")
        }
        for i in 1..<offsets.count where offsets[i] < offsets[i - 1] {
            throw ShardError(.inconsistentOffsets, file: file, object: path, "decreases at sample \(i - 1): \(offsets[i - 1]) then \(offsets[i])")
        }
        guard offsets.last == Int64(total) else {
            throw ShardError(.inconsistentOffsets, file: file, object: path, "ends at \(offsets.last!), but \(target) has \(total) rows")
        }
    }
}
