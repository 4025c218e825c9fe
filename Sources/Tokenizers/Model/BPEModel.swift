import Foundation

/// The `BPE` model of tokenizer.json: turns one pre-tokenized piece into token ids.
///
/// Each scalar starts as its own symbol (or as `<0xNN>` byte tokens with `byte_fallback`, or as
/// `unk_token`); then the adjacent pair with the lowest merge rank is merged, leftmost first,
/// until no pair has a merge. SentencePiece-style tokenizers (Llama 2) hand the model a whole
/// text segment at once, so the merging uses a priority queue over a linked list of symbols:
/// O(n log n) instead of rescanning all pairs after every merge.
final class BPEModel: @unchecked Sendable {
    /// Token text (as UTF-8 bytes, never normalized) -> id.
    let vocab: [[UInt8]: Int32]
    /// Id -> token text for ids present in the vocabulary.
    let tokenOfId: [Int32: String]
    let unknownTokenId: Int32?
    let unknownToken: String?
    let fuseUnknown: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    let continuingSubwordPrefix: String?
    let endOfWordSuffix: String?

    private let merges: MergeTable
    /// `<0xNN>` ids (nil where the vocabulary lacks one).
    private let byteTokenIds: [Int32?]
    /// Id of each single-scalar token (no prefix or suffix) for scalars below U+10000 (-1:
    /// none), and a dictionary for the rest.
    private let basicPlaneIds: [Int32]
    private let otherScalarIds: [UInt32: Int32]
    private let cache = WordCache()

    /// Everything that the tokenizer.json `model` object holds.
    struct Configuration {
        var vocab: [(token: String, id: Int32)]
        var merges: [(left: String, right: String)]
        var unknownToken: String?
        var fuseUnknown = false
        var byteFallback = false
        var ignoreMerges = false
        var continuingSubwordPrefix: String?
        var endOfWordSuffix: String?
    }

    /// A merge refers to a token that is not in the vocabulary.
    struct MissingMergeToken: Error {
        let index: Int
        let token: String
    }

    init(_ configuration: Configuration) throws {
        var vocab = [[UInt8]: Int32](minimumCapacity: configuration.vocab.count)
        var tokenOfId = [Int32: String](minimumCapacity: configuration.vocab.count)
        var basicPlane = [Int32](repeating: -1, count: 0x10000)
        var otherScalars = [UInt32: Int32]()
        for (token, id) in configuration.vocab {
            vocab[Array(token.utf8)] = id
            tokenOfId[id] = token
            var scalars = token.unicodeScalars.makeIterator()
            if let first = scalars.next(), scalars.next() == nil {
                if first.value < 0x10000 { basicPlane[Int(first.value)] = id } else { otherScalars[first.value] = id }
            }
        }
        let prefixLength = configuration.continuingSubwordPrefix?.utf8.count ?? 0
        var merges = MergeTable(capacityFor: configuration.merges.count)
        for (rank, pair) in configuration.merges.enumerated() {
            let leftBytes = Array(pair.left.utf8), rightBytes = Array(pair.right.utf8)
            guard let left = vocab[leftBytes] else { throw MissingMergeToken(index: rank, token: pair.left) }
            guard let right = vocab[rightBytes] else { throw MissingMergeToken(index: rank, token: pair.right) }
            // The merged token drops the right side's continuing-subword prefix ("h" + "##e" = "he").
            let mergedBytes = leftBytes + rightBytes.dropFirst(min(prefixLength, rightBytes.count))
            guard let merged = vocab[mergedBytes] else {
                throw MissingMergeToken(index: rank, token: String(decoding: mergedBytes, as: UTF8.self))
            }
            merges.insert(left, right, MergeTable.Merge(rank: Int32(rank), newId: merged))
        }
        var byteIds = [Int32?](repeating: nil, count: 256)
        for byte in 0 ..< 256 { byteIds[byte] = vocab[Array(String(format: "<0x%02X>", byte).utf8)] }

        self.vocab = vocab
        self.tokenOfId = tokenOfId
        self.merges = merges
        self.byteTokenIds = byteIds
        self.basicPlaneIds = basicPlane
        self.otherScalarIds = otherScalars
        self.unknownToken = configuration.unknownToken
        self.unknownTokenId = configuration.unknownToken.flatMap { vocab[Array($0.utf8)] }
        self.fuseUnknown = configuration.fuseUnknown
        self.byteFallback = configuration.byteFallback
        self.ignoreMerges = configuration.ignoreMerges
        self.continuingSubwordPrefix = configuration.continuingSubwordPrefix.flatMap { $0.isEmpty ? nil : $0 }
        self.endOfWordSuffix = configuration.endOfWordSuffix.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The ids of one pre-tokenized piece, appended to `ids`.
    func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int32]) {
        guard !word.isEmpty else { return }
        if ignoreMerges, let id = vocab[word.utf8Bytes] {
            ids.append(id)
            return
        }
        if let cached = cache.lookup(word) {
            ids.append(contentsOf: cached)
            return
        }
        let result = mergedSymbols(of: word)
        cache.store(word, result)
        ids.append(contentsOf: result)
    }

    /// The initial symbols of a word (HF `merge_word` before merging): one per scalar, with the
    /// prefix on non-first and the suffix on the last; unknown ones become byte tokens, or
    /// `unk` (fused into the previous `unk` when `fuse_unk`), or are dropped when there is no
    /// `unk_token`.
    private func initialSymbols(of word: [Unicode.Scalar]) -> [Int32] {
        var symbols = [Int32]()
        symbols.reserveCapacity(word.count)
        var pendingUnknown = false
        let decorated = continuingSubwordPrefix != nil || endOfWordSuffix != nil
        for (index, scalar) in word.enumerated() {
            var id: Int32?
            var text: [UInt8] = []
            if !decorated {
                if scalar.value < 0x10000 {
                    let found = basicPlaneIds[Int(scalar.value)]
                    id = found >= 0 ? found : nil
                } else {
                    id = otherScalarIds[scalar.value]
                }
                if id == nil { appendUTF8(scalar, to: &text) }
            } else {
                if index > 0, let prefix = continuingSubwordPrefix { text.append(contentsOf: prefix.utf8) }
                appendUTF8(scalar, to: &text)
                if index == word.count - 1, let suffix = endOfWordSuffix { text.append(contentsOf: suffix.utf8) }
                id = vocab[text]
            }
            if let id {
                if pendingUnknown, let unknown = unknownTokenId { symbols.append(unknown) }
                pendingUnknown = false
                symbols.append(id)
                continue
            }
            if byteFallback {
                let bytes = text.map { byteTokenIds[Int($0)] }
                if bytes.allSatisfy({ $0 != nil }) {
                    // Like HF, a pending unk is not flushed here: it is emitted later, after these.
                    symbols.append(contentsOf: bytes.map { $0! })
                    continue
                }
            }
            guard let unknown = unknownTokenId else { continue }
            if pendingUnknown && !fuseUnknown { symbols.append(unknown) }
            pendingUnknown = true
        }
        if pendingUnknown, let unknown = unknownTokenId { symbols.append(unknown) }
        return symbols
    }

    /// Merges the word's symbols by rank (ties: leftmost), HF `Word::merge_all` without dropout.
    private func mergedSymbols(of word: [Unicode.Scalar]) -> [Int32] {
        var ids = initialSymbols(of: word)
        let count = ids.count
        guard count > 1 else { return ids }
        var previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0 ..< count { buffer[i] = Int32(i - 1) }
            initialized = count
        }
        var next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0 ..< count { buffer[i] = i + 1 < count ? Int32(i + 1) : -1 }
            initialized = count
        }
        var alive = [Bool](repeating: true, count: count)
        var queue = MergeQueue()
        for i in 0 ..< count - 1 {
            if let merge = merges.lookup(ids[i], ids[i + 1]) {
                queue.push(MergeQueue.Entry(rank: merge.rank, position: Int32(i), newId: merge.newId))
            }
        }
        while let top = queue.pop() {
            let position = Int(top.position)
            guard alive[position], next[position] >= 0 else { continue }
            let right = Int(next[position])
            // Skip entries made stale by earlier merges.
            guard let merge = merges.lookup(ids[position], ids[right]), merge.newId == top.newId else { continue }
            ids[position] = top.newId
            alive[right] = false
            next[position] = next[right]
            if next[right] >= 0 { previous[Int(next[right])] = Int32(position) }
            if previous[position] >= 0 {
                let left = Int(previous[position])
                if let merge = merges.lookup(ids[left], ids[position]) {
                    queue.push(MergeQueue.Entry(rank: merge.rank, position: Int32(left), newId: merge.newId))
                }
            }
            if next[position] >= 0, let merge = merges.lookup(ids[position], ids[Int(next[position])]) {
                queue.push(MergeQueue.Entry(rank: merge.rank, position: top.position, newId: merge.newId))
            }
        }
        var result = [Int32]()
        result.reserveCapacity(count)
        var i = 0
        while i >= 0 && i < count {
            result.append(ids[i])
            i = Int(next[i])
        }
        return result
    }
}

/// A binary min-heap of candidate merges ordered by (rank, position).
struct MergeQueue {
    struct Entry {
        let rank: Int32
        let position: Int32
        let newId: Int32

        @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            rank != other.rank ? rank < other.rank : position < other.position
        }
    }

    private var heap: [Entry] = []

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
                if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}

/// A bounded, thread-safe cache of BPE results per word. Like HF's, it stops accepting new
/// words when full (no eviction), and skips very long words.
final class WordCache: @unchecked Sendable {
    private var entries: [[Unicode.Scalar]: [Int32]] = [:]
    private let lock = NSLock()
    static let capacity = 10_000
    static let maximumWordLength = 256

    func lookup(_ word: [Unicode.Scalar]) -> [Int32]? {
        guard word.count < Self.maximumWordLength else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return entries[word]
    }

    func store(_ word: [Unicode.Scalar], _ ids: [Int32]) {
        guard word.count < Self.maximumWordLength else { return }
        lock.lock()
        defer { lock.unlock() }
        if entries.count < Self.capacity { entries[word] = ids }
    }
}
