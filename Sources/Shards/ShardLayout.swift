/// Names and constants of the shard layout (DESIGN.md section 2), in one place for the
/// writer, the reader and the tests.
public enum ShardLayout {
    /// Root attribute `format` of every shard file.
    public static let formatName = "vlmtune-shard"
    /// Root attribute `version` this code writes and reads.
    public static let version = 1

    /// LLaVA's IMAGE_TOKEN_INDEX: one placeholder per image in `input_ids`.
    public static let imagePlaceholder: Int32 = -200
    /// One placeholder per video (its frames are the sample's images).
    public static let videoPlaceholder: Int32 = -201
    /// A label that takes no loss.
    public static let ignoredLabel: Int32 = -100

    /// The HDF5 filter id of Zstandard, and the level the writer uses unless told otherwise.
    public static let zstdFilterID = 32015
    public static let defaultCompressionLevel = 3

    /// `shard-00000.h5`, `shard-00001.h5`, ...
    public static func shardFileName(_ number: Int) -> String {
        let digits = String(number)
        return "shard-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".h5"
    }

    enum Path {
        static let inputIds = "/tokens/input_ids"
        static let labels = "/tokens/labels"
        static let tokenOffsets = "/tokens/offsets"
        static let imageOffsets = "/images/offsets"
        static let pixels = "/images/pixels"
        static let encoded = "/images/encoded"
        static let encodedFormat = "/images/format"
        static let sampleIds = "/samples/id"
        static let modality = "/samples/modality"
        static let groups = ["/tokens", "/images", "/samples"]
    }
}

/// What a sample is about: stored as uint8 in `/samples/modality`.
public enum Modality: UInt8, Sendable, Codable, CaseIterable {
    case text = 0
    case image = 1
    case video = 2
}

/// How a shard stores its images: preprocessed pixels or the original file bytes.
public enum ImageStorage: String, Sendable, Codable, CaseIterable {
    /// `/images/pixels` uint8 [M, S, S, 3].
    case pixels
    /// `/images/encoded` vlen uint8 [M] and `/images/format` vlen str [M].
    case encoded
}

/// The file format of an encoded image, stored as a string in `/images/format`.
public enum EncodedImageFormat: String, Sendable, Codable, CaseIterable {
    case png
    case jpeg
}
