import Foundation
import Tensors

/// The order samples are read in during one epoch: a pure function of (seed, epoch), so a
/// resumed run continues exactly where it stopped.
public struct EpochOrder {
    public let count: Int
    public let seed: UInt64
    public let shuffle: Bool
    /// Length of each sample; the sign marks the modality (positive: with images, negative:
    /// text only), as LLaVA's `modality_lengths`. Needed for `groupByModality`.
    public let lengths: [Int]?
    /// Samples per optimiser step (LLaVA's megabatch: micro batch x accumulation x devices).
    public let megabatch: Int
    public let groupByModality: Bool

    public init(count: Int, seed: UInt64, shuffle: Bool, lengths: [Int]? = nil, megabatch: Int = 1, groupByModality: Bool = false) {
        self.count = count
        self.seed = seed
        self.shuffle = shuffle
        self.lengths = lengths
        self.megabatch = max(1, megabatch)
        self.groupByModality = groupByModality
    }

    public func indices(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<count) }
        var rng = RandomGenerator(seed: seed, stream: 1000 + UInt64(epoch))
        if groupByModality, let lengths { return EpochOrder.modalityGrouped(lengths, megabatch: megabatch, rng: &rng) }
        return rng.permutation(count)
    }

    /// LLaVA's `get_modality_length_grouped_indices`: multimodal and text-only samples are
    /// each shuffled and cut into megabatches sorted by length (longest first); the
    /// megabatches are shuffled together, and the two incomplete ones are merged at the end.
    static func modalityGrouped(_ lengths: [Int], megabatch: Int, rng: inout RandomGenerator) -> [Int] {
        let mm = lengths.indices.filter { lengths[$0] > 0 }, text = lengths.indices.filter { lengths[$0] < 0 }
        if mm.isEmpty || text.isEmpty {
            return lengthGrouped(lengths.indices.map { $0 }, lengths.map(abs), megabatch: megabatch, rng: &rng).flatMap { $0 }
        }
        var mmBatches = lengthGrouped(mm, mm.map { lengths[$0] }, megabatch: megabatch, rng: &rng)
        var textBatches = lengthGrouped(text, text.map { -lengths[$0] }, megabatch: megabatch, rng: &rng)
        let additional = (mmBatches.popLast() ?? []) + (textBatches.popLast() ?? [])
        var all = mmBatches + textBatches
        let perm = rng.permutation(all.count)
        all = perm.map { all[$0] }
        if !additional.isEmpty { all.append(additional.sorted()) }
        return all.flatMap { $0 }
    }

    /// Shuffle, cut into megabatches, sort each by length, longest first.
    static func lengthGrouped(_ items: [Int], _ lengths: [Int], megabatch: Int, rng: inout RandomGenerator) -> [[Int]] {
        let perm = rng.permutation(items.count)
        return stride(from: 0, to: perm.count, by: megabatch).map { start in
            Array(perm[start..<min(start + megabatch, perm.count)]).sorted { lengths[$0] > lengths[$1] }.map { items[$0] }
        }
    }
}
