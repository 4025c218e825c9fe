/// The merge rules of a BPE model: (left id, right id) -> (rank, merged id), in an
/// open-addressing hash table with a multiplicative hash.
///
/// BPE looks a pair up for every adjacent symbol pair it considers, so this lookup is the
/// model's hot path; a `Dictionary` spends most of its time in SipHash seeding and finalizing.
struct MergeTable {
    struct Merge {
        let rank: Int32
        let newId: Int32
    }

    private var keys: [UInt64]
    private var values: [Merge]
    private let mask: Int
    private let shift: UInt64
    private static let empty = UInt64.max

    /// A table sized for `count` merges (at most half full).
    init(capacityFor count: Int) {
        var size = 16, bits: UInt64 = 4
        while size < 2 * count {
            size <<= 1
            bits += 1
        }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [Merge](repeating: Merge(rank: 0, newId: 0), count: size)
        mask = size - 1
        shift = 64 - bits
    }

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds or replaces a merge (a later duplicate wins, as in HF's map).
    mutating func insert(_ left: Int32, _ right: Int32, _ merge: Merge) {
        let key = Self.key(left, right)
        var index = slot(of: key)
        while keys[index] != Self.empty && keys[index] != key { index = (index + 1) & mask }
        keys[index] = key
        values[index] = merge
    }

    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> Merge? {
        let key = Self.key(left, right)
        var index = slot(of: key)
        while true {
            let stored = keys[index]
            if stored == key { return values[index] }
            if stored == Self.empty { return nil }
            index = (index + 1) & mask
        }
    }
}
