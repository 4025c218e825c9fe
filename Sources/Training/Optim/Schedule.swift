import Foundation

/// Learning-rate multiplier per optimiser step, as transformers' schedulers compute it:
/// linear warmup from 0, then cosine or linear decay to `minRatio`, or constant. The value
/// for step k (0-based) is used by the k-th update, so the first update of a warmup run uses
/// lr 0, exactly like HF Trainer.
public struct LRSchedule: Equatable {
    public enum Kind: String { case cosine, linear, constant }
    public var kind: Kind
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minRatio: Double

    public init(kind: Kind, warmupSteps: Int, totalSteps: Int, minRatio: Double = 0) {
        self.kind = kind
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minRatio = minRatio
    }

    /// Warmup as HF: ceil(total * ratio) unless steps are given.
    public static func warmup(ratio: Double, steps: Int?, total: Int) -> Int {
        steps ?? Int((Double(total) * ratio).rounded(.up))
    }

    public func multiplier(step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        switch kind {
        case .constant: return 1
        case .linear: return max(minRatio, minRatio + (1 - minRatio) * (1 - progress))
        case .cosine: return minRatio + (1 - minRatio) * max(0, 0.5 * (1 + cos(Double.pi * progress)))
        }
    }
}
