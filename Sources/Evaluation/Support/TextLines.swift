/// Splitting a text file's bytes into lines the way the eval formats need: "\n" ends a line, a
/// "\r" before it is dropped, a UTF-8 byte order mark at the start is ignored, and blank lines
/// are left out but still counted, so line numbers match what an editor shows.
enum TextLines {
    static func nonBlankLines(of bytes: [UInt8]) -> [(number: Int, bytes: ArraySlice<UInt8>)] {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lines: [(Int, ArraySlice<UInt8>)] = []
        var number = 1
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var line = bytes[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            if line.contains(where: { !isBlank($0) }) { lines.append((number, line)) }
            number += 1
            start = end + 1
        }
        return lines
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
}
