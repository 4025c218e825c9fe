#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 (FIPS 180-4), written out because CryptoKit does not exist on Linux. One
/// implementation for the whole toolkit: the `sha256` of each shard in index.json, and the
/// tokenizer's fingerprint that ties shards to the tokenizer that made them.
///
///     var hash = SHA256()
///     hash.update(bytes)
///     let hex = hash.finalize().hexadecimal
public struct SHA256 {
    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The state words a..h, starting from the square roots of the first eight primes.
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// Bytes of an incomplete block, waiting for more input.
    private var partial = [UInt8]()
    private var totalBytes: UInt64 = 0

    public init() { partial.reserveCapacity(64) }

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) != nil { return }
        Array(bytes).withUnsafeBytes { update($0) }
    }

    /// Feeds bytes; whole 64-byte blocks are compressed straight from `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        totalBytes &+= UInt64(bytes.count)
        var offset = 0
        if !partial.isEmpty {
            let take = min(64 - partial.count, bytes.count)
            partial.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            offset = take
            if partial.count == 64 {
                partial.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: 1) }
                partial.removeAll(keepingCapacity: true)
            }
        }
        let wholeBlocks = (bytes.count - offset) / 64
        if wholeBlocks > 0 {
            compress(blocks: base + offset, count: wholeBlocks)
            offset += wholeBlocks * 64
        }
        if offset < bytes.count {
            partial.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
        }
    }

    /// The 32-byte digest. Pads a copy, so the hasher itself is left as it was.
    public func finalize() -> SHA256Digest {
        var copy = self
        let bitLength = totalBytes &* 8
        var tail = copy.partial
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { copy.compress(blocks: $0.baseAddress!, count: tail.count / 64) }
        let words = [copy.state.0, copy.state.1, copy.state.2, copy.state.3, copy.state.4, copy.state.5, copy.state.6, copy.state.7]
        return SHA256Digest(bytes: words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * $0)) } })
    }

    /// One-shot hash of a byte collection.
    public static func hash<C: Collection>(_ bytes: C) -> SHA256Digest where C.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The compression function over `count` consecutive 64-byte blocks. The message
    /// schedule lives in a 16-word ring (w[t & 15]), the eight working words in locals, and
    /// the rounds are unrolled by eight so the a..h renaming costs no moves.
    private mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { w in
            Self.roundConstants.withUnsafeBufferPointer { k in
                for block in 0..<count {
                    let data = blocks + block * 64
                    for t in 0..<16 { w[t] = UInt32(bigEndian: data.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self)) }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7

                    /// Word t of the schedule, computing (and storing) it for t >= 16.
                    @inline(__always) func word(_ t: Int) -> UInt32 {
                        if t < 16 { return w[t] }
                        let w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15]
                        let s0 = rotate(w15, 7) ^ rotate(w15, 18) ^ (w15 &>> 3)
                        let s1 = rotate(w2, 17) ^ rotate(w2, 19) ^ (w2 &>> 10)
                        let value = w[t & 15] &+ s0 &+ w[(t - 7) & 15] &+ s1
                        w[t & 15] = value
                        return value
                    }
                    /// One round; the caller rotates the roles of the eight words.
                    @inline(__always) func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                                                 _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ t: Int) {
                        let sum1 = rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)
                        let choice = g ^ (e & (f ^ g))
                        let temp1 = h &+ sum1 &+ choice &+ k[t] &+ word(t)
                        let sum0 = rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)
                        let majority = (a & b) | (c & (a | b))
                        d &+= temp1
                        h = temp1 &+ sum0 &+ majority
                    }
                    var t = 0
                    while t < 64 {
                        round(a, b, c, &d, e, f, g, &h, t)
                        round(h, a, b, &c, d, e, f, &g, t + 1)
                        round(g, h, a, &b, c, d, e, &f, t + 2)
                        round(f, g, h, &a, b, c, d, &e, t + 3)
                        round(e, f, g, &h, a, b, c, &d, t + 4)
                        round(d, e, f, &g, h, a, b, &c, t + 5)
                        round(c, d, e, &f, g, h, a, &b, t + 6)
                        round(b, c, d, &e, f, g, h, &a, t + 7)
                        t += 8
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                }
            }
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }
}

@inline(__always)
private func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
    (value &>> count) | (value &<< (32 &- count))
}

/// A SHA-256 digest: 32 bytes, shown as 64 lowercase hexadecimal digits.
public struct SHA256Digest: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public var hexadecimal: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hexadecimal }
}
