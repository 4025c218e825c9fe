import Foundation

/// Trains a small byte-level BPE tokenizer (GPT-2 style) and writes it as a tokenizer.json
/// that HF `tokenizers` loads and encodes exactly as `Tokenizer` does. Meant for demos and
/// tests (the built-in synthetic world), not for training production vocabularies.
///
/// The vocabulary holds the special tokens (ids 0, 1, ...), the 256 byte characters (so any
/// text can be encoded), then one token per merge. Texts are pre-tokenized with the GPT-2
/// regex; the most frequent adjacent pair (counted over words, weighted by how often each word
/// occurs) is merged until the vocabulary is full or no pair occurs `minFrequency` times. Ties
/// go to the pair of smaller ids, so the output is byte-for-byte deterministic.
///
/// The file has the ByteLevel pre-tokenizer and decoder, and a TemplateProcessing
/// post-processor that adds the first special token as BOS.
///
///     let json = BPETrainer.train(texts: captions, vocabSize: 1000, specialTokens: ["<|endoftext|>"])
///     let tokenizer = try Tokenizer(tokenizerJSON: json)
public enum BPETrainer {
    public static func train(texts: [String], vocabSize: Int, specialTokens: [String], minFrequency: Int = 2) -> Data {
        var tokens: [String] = specialTokens
        var idOfToken: [String: Int32] = [:]
        for (index, token) in specialTokens.enumerated() { idOfToken[token] = Int32(index) }
        let byteBase = Int32(tokens.count)
        for byte in 0 ..< 256 {
            let character = String(ByteLevelAlphabet.scalarOfByte[byte])
            idOfToken[character] = Int32(tokens.count)
            tokens.append(character)
        }

        var counter = PairCounter(words: wordCounts(texts).map { word, count in
            (word.map { byteBase + Int32(ByteLevelAlphabet.byte(of: $0)!) }, count)
        })
        var merges: [(String, String)] = []
        while tokens.count < vocabSize, let (pair, count) = counter.mostFrequentPair(), count >= minFrequency {
            let left = tokens[Int(pair.left)], right = tokens[Int(pair.right)]
            let merged = left + right
            let newId: Int32
            if let existing = idOfToken[merged] {
                newId = existing
            } else {
                newId = Int32(tokens.count)
                idOfToken[merged] = newId
                tokens.append(merged)
            }
            merges.append((left, right))
            counter.merge(pair, into: newId)
        }
        return Data(tokenizerJSON(tokens: tokens, merges: merges, specialCount: specialTokens.count).utf8)
    }

    /// How often each GPT-2 pre-token occurs, in byte-level characters.
    private static func wordCounts(_ texts: [String]) -> [([Unicode.Scalar], Int)] {
        let preTokenizer = PreTokenizer.byteLevel(addPrefixSpace: false, useRegex: true)
        var counts: [[Unicode.Scalar]: Int] = [:]
        for text in texts {
            for piece in preTokenizer.apply([TextPiece(scalars: [Unicode.Scalar](text), startsAtOrigin: true)]) {
                counts[piece.scalars, default: 0] += 1
            }
        }
        return counts.map { ($0.key, $0.value) }
    }

    private static func tokenizerJSON(tokens: [String], merges: [(String, String)], specialCount: Int) -> String {
        var json = JSONWriter()
        let specials = Array(tokens.prefix(specialCount))
        json.object([
            ("version", { $0.string("1.0") }),
            ("truncation", { $0.raw("null") }),
            ("padding", { $0.raw("null") }),
            ("added_tokens", { writer in
                writer.array(Array(specials.enumerated())) { writer, item in
                    writer.object([
                        ("id", { $0.raw(String(item.offset)) }),
                        ("content", { $0.string(item.element) }),
                        ("single_word", { $0.raw("false") }), ("lstrip", { $0.raw("false") }),
                        ("rstrip", { $0.raw("false") }), ("normalized", { $0.raw("false") }),
                        ("special", { $0.raw("true") }),
                    ])
                }
            }),
            ("normalizer", { $0.raw("null") }),
            ("pre_tokenizer", { $0.raw(#"{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}"#) }),
            ("post_processor", { writer in
                guard let bos = specials.first else { return writer.raw("null") }
                func special(_ writer: inout JSONWriter, _ typeId: Int) {
                    writer.object([("SpecialToken", { $0.object([("id", { $0.string(bos) }), ("type_id", { $0.raw(String(typeId)) })]) })])
                }
                func sequence(_ writer: inout JSONWriter, _ name: String, _ typeId: Int) {
                    writer.object([("Sequence", { $0.object([("id", { $0.string(name) }), ("type_id", { $0.raw(String(typeId)) })]) })])
                }
                writer.object([
                    ("type", { $0.string("TemplateProcessing") }),
                    ("single", { writer in writer.raw("["); special(&writer, 0); writer.raw(","); sequence(&writer, "A", 0); writer.raw("]") }),
                    ("pair", { writer in
                        writer.raw("["); special(&writer, 0); writer.raw(","); sequence(&writer, "A", 0); writer.raw(",")
                        special(&writer, 1); writer.raw(","); sequence(&writer, "B", 1); writer.raw("]")
                    }),
                    ("special_tokens", { writer in
                        writer.object([(bos, { $0.object([
                            ("id", { $0.string(bos) }), ("ids", { $0.raw("[0]") }),
                            ("tokens", { $0.array([bos]) { $0.string($1) } }),
                        ]) })])
                    }),
                ])
            }),
            ("decoder", { $0.raw(#"{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true}"#) }),
            ("model", { writer in
                writer.object([
                    ("type", { $0.string("BPE") }),
                    ("dropout", { $0.raw("null") }), ("unk_token", { $0.raw("null") }),
                    ("continuing_subword_prefix", { $0.raw("null") }), ("end_of_word_suffix", { $0.raw("null") }),
                    ("fuse_unk", { $0.raw("false") }), ("byte_fallback", { $0.raw("false") }),
                    ("ignore_merges", { $0.raw("false") }),
                    ("vocab", { writer in
                        writer.object(tokens.enumerated().map { id, token in (token, { $0.raw(String(id)) }) })
                    }),
                    ("merges", { writer in
                        writer.array(merges) { writer, merge in writer.array([merge.0, merge.1]) { $0.string($1) } }
                    }),
                ])
            }),
        ])
        return json.text
    }
}

/// Counts of adjacent symbol pairs over a weighted word list, kept up to date as pairs merge.
struct PairCounter {
    struct Pair: Hashable {
        let left: Int32
        let right: Int32
    }

    private var words: [[Int32]]
    private let weights: [Int]
    private var counts: [Pair: Int] = [:]
    /// Words that contained each pair when it was counted (may hold stale entries).
    private var wordsWithPair: [Pair: Set<Int>] = [:]

    init(words weighted: [([Int32], Int)]) {
        words = weighted.map(\.0)
        weights = weighted.map(\.1)
        for index in words.indices { add(word: index, sign: 1) }
    }

    private mutating func add(word index: Int, sign: Int) {
        let word = words[index]
        guard word.count > 1 else { return }
        for i in 0 ..< word.count - 1 {
            let pair = Pair(left: word[i], right: word[i + 1])
            let count = counts[pair, default: 0] + sign * weights[index]
            counts[pair] = count == 0 ? nil : count
            if sign > 0 { wordsWithPair[pair, default: []].insert(index) }
        }
    }

    /// The most frequent pair; ties go to the smaller (left, right) ids.
    func mostFrequentPair() -> (Pair, Int)? {
        var best: (Pair, Int)?
        for (pair, count) in counts where count > 0 {
            if let current = best {
                if count < current.1 { continue }
                if count == current.1, (pair.left, pair.right) > (current.0.left, current.0.right) { continue }
            }
            best = (pair, count)
        }
        return best
    }

    /// Replaces every occurrence of `pair` (left to right, non-overlapping) by `newId`.
    mutating func merge(_ pair: Pair, into newId: Int32) {
        let affected = wordsWithPair.removeValue(forKey: pair) ?? []
        for index in affected.sorted() {
            let word = words[index]
            var merged = [Int32]()
            merged.reserveCapacity(word.count)
            var i = 0, changed = false
            while i < word.count {
                if i + 1 < word.count, word[i] == pair.left, word[i + 1] == pair.right {
                    merged.append(newId)
                    i += 2
                    changed = true
                } else {
                    merged.append(word[i])
                    i += 1
                }
            }
            guard changed else { continue }
            add(word: index, sign: -1)
            words[index] = merged
            add(word: index, sign: 1)
        }
    }
}
