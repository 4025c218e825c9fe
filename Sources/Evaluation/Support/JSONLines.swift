import Foundation

/// Writing JSON Lines files: one compact object per line, keys sorted so that files made from
/// the same inputs are byte-identical.
enum JSONLines {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Writes `values` to `url`, one JSON object per line, replacing the file.
    static func write<T: Encodable>(_ values: [T], to url: URL) throws {
        let encoder = encoder
        var data = Data()
        for value in values {
            data.append(try encoder.encode(value))
            data.append(0x0A)
        }
        try data.write(to: url, options: .atomic)
    }
}
