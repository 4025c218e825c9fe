/// GPT-2's `bytes_to_unicode`: every byte gets a printable stand-in character, so byte-level
/// BPE vocabularies are ordinary strings. Printable Latin-1 bytes stand for themselves; the
/// other 68 bytes (controls, space, 0x7F-0xA0, 0xAD) map to U+0100 onwards in byte order, so
/// a space is "Ġ" (U+0120) and a newline "Ċ" (U+010A).
enum ByteLevelAlphabet {
    /// The stand-in character of each byte.
    static let scalarOfByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0 ..< 256 {
            let printable = (0x21 ... 0x7E).contains(byte) || (0xA1 ... 0xAC).contains(byte) || (0xAE ... 0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte a stand-in character represents (nil for any other character).
    static func byte(of scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        guard value < 324 else { return nil }
        return byteOfScalar[Int(value)]
    }

    private static let byteOfScalar: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 324)
        for (byte, scalar) in scalarOfByte.enumerated() { table[Int(scalar.value)] = UInt8(byte) }
        return table
    }()

    /// Text as its bytes' stand-in characters.
    static func encode(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result = [Unicode.Scalar]()
        result.reserveCapacity(scalars.count)
        var bytes = [UInt8]()
        bytes.reserveCapacity(4)
        for scalar in scalars {
            if scalar.value < 0x80 {
                result.append(scalarOfByte[Int(scalar.value)])
                continue
            }
            bytes.removeAll(keepingCapacity: true)
            appendUTF8(scalar, to: &bytes)
            for byte in bytes { result.append(scalarOfByte[Int(byte)]) }
        }
        return result
    }
}
