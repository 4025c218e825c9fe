import CHDF5
import Foundation

/// Random access to the samples of one shard file.
///
/// Opening checks the whole layout, so that later reads cannot meet a malformed file: the
/// root attributes (`format`, `version`), every dataset's presence, element type and shape,
/// and both offset arrays (start at 0, never decrease, end at the length of the data they
/// index). Each failure is a `ShardError` naming the file and the dataset or attribute.
/// The offsets and modalities (a few bytes per sample) are kept in memory; tokens, ids and
/// images are read per sample through HDF5's chunk cache (see `ShardReader.Caching`).
///
/// All HDF5 work is serialised by the library lock, and the one piece of state that changes
/// after opening (the ids, loaded on first use) is only touched under it, so a reader may be
/// used from any thread (calls from several threads take turns).
public final class ShardReader: @unchecked Sendable {
    /// Chunk caches per open dataset (see docs/DATA.md, "Shard files").
    enum Caching {
        /// Tokens: 4 MiB = 256 chunks of 16 KiB per dataset (a third of a 10k-sample shard's
        /// 12 MB). A sequential pass decompresses each chunk once; a random pass reuses what
        /// fits. A whole-shard cache would double random reads but cost ~24 MB per open shard.
        /// Slots: a prime about 100 times the chunks that fit, as HDF5 advises.
        static let tokens = ChunkCache(slots: 25_601, bytes: 4 << 20)
        /// Ids, encoded images, formats: chunks of heap references, small.
        static let references = ChunkCache(slots: 1_021, bytes: 1 << 20)
        /// Pixels: one chunk per image, read once; caching would only copy.
        static let pixels = ChunkCache.none
    }

    public let path: String
    public let storage: ImageStorage
    /// The side S of the stored pixel images; nil for encoded storage.
    public let imageSize: Int?
    public var sampleCount: Int { shard.modalities.count }
    public var tokenCount: Int { shard.inputIds.rowCount }
    public var imageCount: Int { shard.imageCount }

    private let shard: CheckedShard
    private var tokenOffsets: [Int64] { shard.tokenOffsets }
    private var imageOffsets: [Int64] { shard.imageOffsets }
    private var modalities: [Modality] { shard.modalities }
    private var inputIds: StoredDataset { shard.inputIds }
    private var labels: StoredDataset { shard.labels }
    private var sampleIds: StoredDataset { shard.sampleIds }
    private var pixels: StoredDataset? { shard.pixels }
    /// Every sample id, read in one go on the first request (under the HDF5 lock): one
    /// vlen read per sample costs more than the rest of the sample together, and the ids
    /// of a 10k-sample shard take a few hundred KB.
    private var allIds: [String]?

    /// Opens and checks a shard file (see the type's description).
    public init(path: String) throws {
        self.path = path
        let file = try HDF5File.openReadOnly(path)
        shard = try HDF5Library.locked { try CheckedShard(file) }
        storage = shard.pixels == nil ? .encoded : .pixels
        imageSize = shard.pixels.map { $0.shape[1] }
    }

    // MARK: Cheap per-sample facts (from memory)

    /// Which tokens of `/tokens/*` belong to sample `index`.
    public func tokenRange(ofSample index: Int) throws -> Range<Int> {
        try checkSample(index)
        return Int(tokenOffsets[index])..<Int(tokenOffsets[index + 1])
    }

    /// Which images (or video frames) belong to sample `index`.
    public func imageRange(ofSample index: Int) throws -> Range<Int> {
        try checkSample(index)
        return Int(imageOffsets[index])..<Int(imageOffsets[index + 1])
    }

    public func modality(ofSample index: Int) throws -> Modality {
        try checkSample(index)
        return modalities[index]
    }

    // MARK: Reads

    /// Sample `index`, whole: id, modality, tokens, labels and images.
    public func sample(at index: Int) throws -> ShardSample {
        let (ids, targets) = try tokens(ofSample: index)
        return ShardSample(id: try id(ofSample: index), modality: modalities[index], inputIds: ids, labels: targets,
                           images: try images(ofSample: index))
    }

    public func id(ofSample index: Int) throws -> String {
        try checkSample(index)
        return try HDF5Library.locked {
            if let ids = allIds { return ids[index] }
            let ids = try sampleIds.readStrings(rows: 0..<sampleCount)
            allIds = ids
            return ids[index]
        }
    }

    public func tokens(ofSample index: Int) throws -> (inputIds: [Int32], labels: [Int32]) {
        let range = try tokenRange(ofSample: index)
        var ids = [Int32](repeating: 0, count: range.count)
        var targets = [Int32](repeating: 0, count: range.count)
        try HDF5Library.locked {
            try ids.withUnsafeMutableBytes { try inputIds.read(rows: range, into: $0.baseAddress!) }
            try targets.withUnsafeMutableBytes { try labels.read(rows: range, into: $0.baseAddress!) }
        }
        return (ids, targets)
    }

    /// The sample's images in the shard's storage.
    public func images(ofSample index: Int) throws -> [ShardImage] {
        let range = try imageRange(ofSample: index)
        guard !range.isEmpty else { return [] }
        if let pixels, let imageSize {
            // Each image straight into its own array: one read per image, no second copy.
            let size = imageSize * imageSize * 3
            return try range.map { image in
                let bytes = try [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                    try HDF5Library.locked { try pixels.read(rows: image..<image + 1, into: buffer.baseAddress!) }
                    initialized = size
                }
                return .pixels(bytes)
            }
        }
        return try encodedImages(range)
    }

    /// Reads image `image` (an index into `/images/pixels`) into `destination`, which must
    /// hold exactly S*S*3 bytes: the loader's way to fill a batch without extra copies.
    public func readPixels(ofImage image: Int, into destination: UnsafeMutableRawBufferPointer) throws {
        guard let pixels, let imageSize else {
            throw ShardError(.invalidValue, file: path, object: ShardLayout.Path.pixels, "this shard stores encoded images")
        }
        guard image >= 0 && image < imageCount else {
            throw ShardError(.outOfRange, file: path, object: ShardLayout.Path.pixels, "image \(image) is out of range 0..<\(imageCount)")
        }
        guard destination.count == imageSize * imageSize * 3, let base = destination.baseAddress else {
            throw ShardError(.invalidValue, file: path, object: ShardLayout.Path.pixels, "destination holds \(destination.count) bytes, an image \(imageSize * imageSize * 3)")
        }
        try HDF5Library.locked { try pixels.read(rows: image..<image + 1, into: base) }
    }

    private func encodedImages(_ range: Range<Int>) throws -> [ShardImage] {
        guard let encodedImages = shard.encodedImages, let encodedFormats = shard.encodedFormats else { return [] }
        let (bytes, names) = try HDF5Library.locked {
            (try encodedImages.readByteArrays(rows: range), try encodedFormats.readStrings(rows: range))
        }
        return try zip(bytes, zip(range, names)).map { data, numbered in
            guard let format = EncodedImageFormat(rawValue: numbered.1) else {
                throw ShardError(.invalidValue, file: path, object: ShardLayout.Path.encodedFormat,
                                 "image \(numbered.0) has format \"\(numbered.1)\", expected \"png\" or \"jpeg\"")
            }
            return .encoded(bytes: data, format: format)
        }
    }

    private func checkSample(_ index: Int) throws {
        guard index >= 0 && index < sampleCount else {
            throw ShardError(.outOfRange, file: path, "sample \(index) is out of range 0..<\(sampleCount)")
        }
    }
}
