/// Tokenization of text holding `<image>` / `<video>` tags, each tag becoming one placeholder id.
extension Tokenizer {
    /// LLaVA's `tokenizer_image_token` (mm_utils.py), extended to `<video>`: every chunk between
    /// tags is tokenized on its own *with* special tokens. QUIRK reproduced: when the first
    /// chunk starts with the BOS id, that BOS is kept once and the first token of every chunk
    /// is dropped (so a tokenizer that adds BOS gets it once, and one that does not may lose a
    /// real first token of later chunks, as in LLaVA).
    func llavaTokenizeWithMedia(_ text: String) -> [Int32] {
        let (chunks, tags) = Self.splitMedia(text)
        let encoded = chunks.map { encode($0, addSpecialTokens: true) }
        var ids: [Int32] = []
        var offset = 0
        if let first = encoded.first?.first, first == bosTokenId {
            offset = 1
            ids.append(first)
        }
        for (index, chunk) in encoded.enumerated() {
            if index > 0 { ids.append(tags[index - 1]) }
            ids.append(contentsOf: chunk.dropFirst(offset))
        }
        return ids
    }

    /// Text tokenized without special tokens, each tag one placeholder: what LLaVA-NeXT gets
    /// by adding `<image>` as a special token (added tokens split the text first).
    func tokenizeWithMedia(_ text: String) -> [Int32] {
        let (chunks, tags) = Self.splitMedia(text)
        var ids: [Int32] = []
        for (index, chunk) in chunks.enumerated() {
            if index > 0 { ids.append(tags[index - 1]) }
            ids.append(contentsOf: encode(chunk, addSpecialTokens: false))
        }
        return ids
    }

    /// The text between tags (one more chunk than tags, empty chunks kept) and the placeholder
    /// id of each tag, found scalar by scalar like Python's `re.split`.
    static func splitMedia(_ text: String) -> (chunks: [String], tags: [Int32]) {
        let scalars = [Unicode.Scalar](text)
        let image = [Unicode.Scalar](LLaVAToken.imageTag), video = [Unicode.Scalar](LLaVAToken.videoTag)
        var chunks: [String] = [], tags: [Int32] = []
        var start = 0, i = 0
        func tagLength(at i: Int) -> (Int, Int32)? {
            for (tag, id) in [(image, LLaVAToken.image), (video, LLaVAToken.video)]
            where i + tag.count <= scalars.count && scalars[i ..< i + tag.count].elementsEqual(tag) {
                return (tag.count, id)
            }
            return nil
        }
        while i < scalars.count {
            if scalars[i] == "<", let (length, id) = tagLength(at: i) {
                chunks.append(Array(scalars[start ..< i]).string)
                tags.append(id)
                i += length
                start = i
            } else {
                i += 1
            }
        }
        chunks.append(Array(scalars[start...]).string)
        return (chunks, tags)
    }
}

/// Python's `str.split(separator)` on scalars (empty pieces kept).
func pythonSplit(_ text: String, separator: String) -> [String] {
    let scalars = [Unicode.Scalar](text)
    var pieces: [String] = []
    var previous = 0
    for match in TextPattern.literal([Unicode.Scalar](separator)).matches(in: scalars) {
        pieces.append(Array(scalars[previous ..< match.lowerBound]).string)
        previous = match.upperBound
    }
    pieces.append(Array(scalars[previous...]).string)
    return pieces
}

/// The indices Python's `list[start:stop]` covers (negative indices count from the end, both
/// clamped to the list): LLaVA masks labels with such slices.
func pythonSliceRange(_ start: Int, _ stop: Int?, count: Int) -> Range<Int> {
    func clamp(_ index: Int) -> Int {
        let absolute = index < 0 ? index + count : index
        return min(max(absolute, 0), count)
    }
    let lower = clamp(start), upper = stop.map(clamp) ?? count
    return lower < upper ? lower ..< upper : lower ..< lower
}
