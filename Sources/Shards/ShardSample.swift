/// One image of a sample, in the shard's storage.
public enum ShardImage: Equatable, Sendable {
    /// Preprocessed RGB, `S * S * 3` bytes in row-major (y, x, channel) order.
    case pixels([UInt8])
    /// The original file's bytes.
    case encoded(bytes: [UInt8], format: EncodedImageFormat)

    var storage: ImageStorage {
        switch self {
        case .pixels: return .pixels
        case .encoded: return .encoded
        }
    }
}

/// One training sample as a shard holds it.
public struct ShardSample: Equatable, Sendable {
    /// The source id (LLaVA's `id`).
    public var id: String
    public var modality: Modality
    /// Token ids; each image is one `ShardLayout.imagePlaceholder` (-200), a video one -201.
    public var inputIds: [Int32]
    /// Target ids, as long as `inputIds`; `ShardLayout.ignoredLabel` (-100) takes no loss.
    public var labels: [Int32]
    /// The sample's images (or video frames), in order.
    public var images: [ShardImage]

    public init(id: String, modality: Modality, inputIds: [Int32], labels: [Int32], images: [ShardImage] = []) {
        self.id = id
        self.modality = modality
        self.inputIds = inputIds
        self.labels = labels
        self.images = images
    }
}
