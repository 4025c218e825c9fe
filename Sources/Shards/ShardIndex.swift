import AtomicFiles
import Foundation

/// One shard's line in index.json: its file name, what it holds, and the SHA-256 of its bytes.
public struct ShardEntry: Codable, Equatable, Sendable {
    /// The file name inside the shard folder (`shard-00000.h5`).
    public var file: String
    public var samples: Int
    public var tokens: Int
    public var images: Int
    /// Lowercase hexadecimal SHA-256 of the whole file.
    public var sha256: String

    public init(file: String, samples: Int, tokens: Int, images: Int, sha256: String) {
        self.file = file
        self.samples = samples
        self.tokens = tokens
        self.images = images
        self.sha256 = sha256
    }
}

/// A shard folder's `index.json` (DESIGN.md section 2). Keys are snake_case as in the
/// contract; keys this version does not know are ignored on read, so later versions may add.
public struct ShardIndex: Codable, Equatable, Sendable {
    public static let formatName = "vlmtune-shards"
    public static let currentVersion = 1
    public static let fileName = "index.json"

    /// How images were prepared for the shards.
    public struct ImageSettings: Codable, Equatable, Sendable {
        /// The side S of the square images in `/images/pixels`.
        public var size: Int
        /// How images were fitted to S x S: `pad`, `crop` or `resize`.
        public var mode: String
        public var storage: ImageStorage
        /// Per-channel normalisation the model expects (applied when loading, not stored).
        public var mean: [Double]
        public var std: [Double]

        public init(size: Int, mode: String, storage: ImageStorage, mean: [Double], std: [Double]) {
            self.size = size
            self.mode = mode
            self.storage = storage
            self.mean = mean
            self.std = std
        }
    }

    public var format: String
    public var version: Int
    /// The chat template the labels were made with (`plain`, `vicuna_v1`, ...).
    public var template: String
    /// SHA-256 of the tokenizer.json the ids come from.
    public var tokenizerSHA256: String
    public var image: ImageSettings
    public var shards: [ShardEntry]
    /// Samples left out by the converter, counted by reason.
    public var skipped: [String: Int]
    /// Where the data came from (the LLaVA JSON), when known.
    public var source: String?

    enum CodingKeys: String, CodingKey {
        case format, version, template
        case tokenizerSHA256 = "tokenizer_sha256"
        case image, shards, skipped, source
    }

    public init(template: String, tokenizerSHA256: String, image: ImageSettings, shards: [ShardEntry] = [], skipped: [String: Int] = [:], source: String? = nil) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.template = template
        self.tokenizerSHA256 = tokenizerSHA256
        self.image = image
        self.shards = shards
        self.skipped = skipped
        self.source = source
    }

    /// Writes every key, `source` as null when unknown, so the file always has the
    /// contract's shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(version, forKey: .version)
        try container.encode(template, forKey: .template)
        try container.encode(tokenizerSHA256, forKey: .tokenizerSHA256)
        try container.encode(image, forKey: .image)
        try container.encode(shards, forKey: .shards)
        try container.encode(skipped, forKey: .skipped)
        if let source { try container.encode(source, forKey: .source) } else { try container.encodeNil(forKey: .source) }
    }

    public var sampleCount: Int { shards.reduce(0) { $0 + $1.samples } }
    public var tokenCount: Int { shards.reduce(0) { $0 + $1.tokens } }
    public var imageCount: Int { shards.reduce(0) { $0 + $1.images } }

    /// The JSON text: pretty-printed with sorted keys, so the same index always gives the
    /// same bytes (Foundation's encoder does not keep declaration order).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Writes `folder/index.json` atomically (temporary file, fsync, rename).
    public func write(toFolder folder: String) throws {
        let path = URL(fileURLWithPath: folder).appendingPathComponent(Self.fileName).path
        let data: Data
        do { data = try jsonData() } catch { throw ShardError(.invalidIndex, file: path, "cannot encode: \(error)") }
        try ShardError.fromAtomic { try AtomicFile.write(data, to: path) }
    }

    /// Reads and checks `folder/index.json`: the format name, the version, and plain file
    /// names for the shards (no folders, nothing outside the shard folder).
    public static func read(fromFolder folder: String) throws -> ShardIndex {
        let path = URL(fileURLWithPath: folder).appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: path) else { throw ShardError(.missingFile, file: path, "no such file") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ShardError(.ioFailure, file: path, "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, path: path)
    }

    /// Decodes index.json text; `path` is the name errors mention.
    public static func decode(_ data: Data, path: String) throws -> ShardIndex {
        // Check the format and version first, so that a foreign or newer file gets that
        // message rather than a complaint about a key it lacks.
        struct Header: Decodable { let format: String?; let version: Int? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw ShardError(.invalidIndex, file: path, "not a JSON object with string `format` and integer `version`")
        }
        guard header.format == formatName else {
            throw ShardError(.invalidIndex, file: path, object: "format", "is \(header.format.map { "\"\($0)\"" } ?? "missing"), expected \"\(formatName)\"")
        }
        guard header.version == currentVersion else {
            throw ShardError(.unsupportedVersion, file: path, object: "version", "is \(header.version.map(String.init) ?? "missing"), this vlmtune reads version \(currentVersion)")
        }
        let index: ShardIndex
        do { index = try JSONDecoder().decode(ShardIndex.self, from: data) } catch let error as DecodingError {
            throw ShardError(.invalidIndex, file: path, describe(error))
        }
        for entry in index.shards where entry.file.isEmpty || entry.file.contains("/") || entry.file.hasPrefix(".") {
            throw ShardError(.invalidIndex, file: path, object: "shards", "file name \"\(entry.file)\" is not a plain file name in the folder")
        }
        for entry in index.shards where entry.samples < 0 || entry.tokens < 0 || entry.images < 0 {
            throw ShardError(.invalidIndex, file: path, object: "shards", "\(entry.file) has a negative count")
        }
        return index
    }

    /// A one-line account of a decoding failure: the key path and what was wrong.
    private static func describe(_ error: DecodingError) -> String {
        func keyPath(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = keyPath(context.codingPath)
            return "missing key \(parent.isEmpty ? "" : parent + ".")\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = keyPath(context.codingPath)
            return "\(path.isEmpty ? "" : path + ": ")\(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
