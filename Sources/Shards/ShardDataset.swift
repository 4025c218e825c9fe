import Checksums
import Foundation

/// All the samples of a shard folder, numbered globally in shard order.
///
/// Opening reads and checks index.json only; each shard file is opened (and its layout
/// checked, and its counts compared with its index entry) the first time a sample of it is
/// asked for, then stays open. Checksums are compared only by `verify()`, since hashing a
/// folder means reading every byte of it.
///
///     let data = try ShardDataset(folder: "out/shards")
///     let sample = try data.sample(at: 12_345)
///
/// Safe to use from several threads: shard opening is guarded by its own lock and every
/// read goes through the HDF5 lock.
public final class ShardDataset: @unchecked Sendable {
    public let folder: String
    public let index: ShardIndex
    /// Total number of samples over all shards.
    public let count: Int
    /// `firstSample[k]` is the global index of shard k's first sample; one extra entry at
    /// the end holds `count`.
    private let firstSample: [Int]
    private var readers: [ShardReader?]
    private let readersLock = NSLock()

    public init(folder: String) throws {
        self.folder = folder
        index = try ShardIndex.read(fromFolder: folder)
        var starts = [0]
        for entry in index.shards { starts.append(starts.last! + entry.samples) }
        firstSample = starts
        count = starts.last!
        readers = Array(repeating: nil, count: index.shards.count)
    }

    public var shardCount: Int { index.shards.count }

    /// The full path of shard `number`'s file.
    public func path(ofShard number: Int) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent(index.shards[number].file).path
    }

    /// Which shard holds global sample `global`, and its index there.
    public func location(of global: Int) throws -> (shard: Int, local: Int) {
        guard global >= 0 && global < count else {
            throw ShardError(.outOfRange, file: folder, "sample \(global) is out of range 0..<\(count)")
        }
        // The last shard whose first sample is <= global (empty shards are skipped over).
        var low = 0, high = index.shards.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if firstSample[middle] <= global { low = middle } else { high = middle - 1 }
        }
        return (low, global - firstSample[low])
    }

    public func sample(at global: Int) throws -> ShardSample {
        let (shard, local) = try location(of: global)
        return try reader(forShard: shard).sample(at: local)
    }

    /// The open reader of shard `number`, opening it and checking it against the index on
    /// first use.
    public func reader(forShard number: Int) throws -> ShardReader {
        guard number >= 0 && number < index.shards.count else {
            throw ShardError(.outOfRange, file: folder, "shard \(number) is out of range 0..<\(index.shards.count)")
        }
        readersLock.lock()
        defer { readersLock.unlock() }
        if let reader = readers[number] { return reader }
        let reader = try ShardReader(path: path(ofShard: number))
        try check(reader, against: index.shards[number])
        readers[number] = reader
        return reader
    }

    /// Opens every shard, so that every file's layout and counts are checked now.
    public func validate() throws {
        for number in 0..<index.shards.count { _ = try reader(forShard: number) }
    }

    /// Hashes every shard file and compares it with its `sha256` in index.json (and checks
    /// the layouts, as `validate()`). Reads the whole folder.
    public func verify() throws {
        try validate()
        for (number, entry) in index.shards.enumerated() {
            let digest = try SHA256.hashFile(atPath: path(ofShard: number)).hexadecimal
            guard digest == entry.sha256.lowercased() else {
                throw ShardError(.indexMismatch, file: indexPath, object: entry.file,
                                 "sha256 is \(entry.sha256) in the index but \(digest) for the file")
            }
        }
    }

    private var indexPath: String { URL(fileURLWithPath: folder).appendingPathComponent(ShardIndex.fileName).path }

    /// The index entry and the settings must describe the file: counts, storage and size.
    private func check(_ reader: ShardReader, against entry: ShardEntry) throws {
        func mismatch(_ what: String, index: String, file: String) -> ShardError {
            ShardError(.indexMismatch, file: indexPath, object: entry.file, "\(what) is \(index) in the index but \(file) in the file")
        }
        if entry.samples != reader.sampleCount { throw mismatch("samples", index: "\(entry.samples)", file: "\(reader.sampleCount)") }
        if entry.tokens != reader.tokenCount { throw mismatch("tokens", index: "\(entry.tokens)", file: "\(reader.tokenCount)") }
        if entry.images != reader.imageCount { throw mismatch("images", index: "\(entry.images)", file: "\(reader.imageCount)") }
        if index.image.storage != reader.storage {
            throw mismatch("image storage", index: index.image.storage.rawValue, file: reader.storage.rawValue)
        }
        if let size = reader.imageSize, size != index.image.size {
            throw mismatch("image size", index: "\(index.image.size)", file: "\(size)")
        }
    }
}
