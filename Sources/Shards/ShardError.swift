import AtomicFiles
import Foundation

/// What went wrong with a shard file or folder, as one line that names the file and, where
/// there is one, the dataset or attribute: `shard-00003.h5: /tokens/labels: has type float32,
/// expected int32`.
public struct ShardError: Error, CustomStringConvertible, LocalizedError, Equatable {
    public enum Kind: String, Sendable {
        /// The file (shard or index.json) does not exist.
        case missingFile
        /// HDF5 cannot open it: truncated, corrupt, or not HDF5 at all.
        case unreadableFile
        /// A readable HDF5 file that is not a vlmtune shard (no or another `format`).
        case foreignFile
        /// A `version` (of a shard or index.json) this code does not know.
        case unsupportedVersion
        case missingDataset
        case wrongType
        case wrongShape
        case inconsistentOffsets
        /// A stored value outside its domain (a modality of 7, an image format "gif").
        case invalidValue
        /// index.json disagrees with a shard (counts, storage, image size, checksum), or
        /// is itself malformed.
        case indexMismatch
        case invalidIndex
        /// A sample handed to the writer breaks the layout (labels and ids of different
        /// lengths, a wrongly sized image, an image of the other storage, ...).
        case invalidSample
        case outOfRange
        /// A failed HDF5 or file-system call; the message carries HDF5's or the system's reason.
        case ioFailure
    }

    public let kind: Kind
    /// The shard file, index.json or folder the problem is in.
    public let file: String
    /// The dataset or attribute (`/tokens/offsets`, `@format`), when the problem is in one.
    public let object: String?
    public let problem: String

    public init(_ kind: Kind, file: String, object: String? = nil, _ problem: String) {
        self.kind = kind
        self.file = file
        self.object = object
        self.problem = problem
    }

    public var description: String {
        if let object { return "\(file): \(object): \(problem)" }
        return "\(file): \(problem)"
    }

    public var errorDescription: String? { description }
}

extension ShardError {
    /// Runs an atomic write, reporting its failure as an `ioFailure` of the shard or index file.
    static func fromAtomic(_ body: () throws -> Void) throws {
        do { try body() } catch let error as FileError { throw ShardError(.ioFailure, file: error.file, error.message) }
    }
}
