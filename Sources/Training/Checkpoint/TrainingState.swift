import Foundation
import Tensors

/// What a checkpoint's `state.json` holds besides weights: enough to continue exactly.
public struct TrainingState: Codable, Equatable {
    /// Optimiser steps completed.
    public var step: Int
    /// Epoch being read and samples of it already consumed (the data cursor).
    public var epoch: Int
    public var cursor: Int
    /// Generator of dropout masks and other in-step randomness.
    public var rng: RandomGenerator
    /// Always 1: training is f32 without loss scaling (kept for the layout's sake).
    public var lossScale: Double
    public var recipeHash: String
    /// Steps skipped for a non-finite loss or gradient, in total and in a row.
    public var skippedSteps: Int
    public var skippedInARow: Int
    /// Tokens (real positions, image features included) trained on so far.
    public var tokensSeen: Int
    public var stage: String
    public var savedAt: String

    enum CodingKeys: String, CodingKey {
        case step, epoch, cursor, rng, recipeHash = "recipe_hash", lossScale = "loss_scale"
        case skippedSteps = "skipped_steps", skippedInARow = "skipped_in_a_row", tokensSeen = "tokens_seen"
        case stage, savedAt = "saved_at"
    }
}
