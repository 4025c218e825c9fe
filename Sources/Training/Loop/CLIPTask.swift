import Foundation
import Layers
import Models
import Tensors

/// The `clip` stage: a vision tower and a text encoder trained contrastively on image-caption
/// pairs (symmetric InfoNCE over the batch, CLIP's learnable temperature initialised to
/// log(1/0.07) and clamped at log(100) after every update).
public final class CLIPTask: TrainingTask {
    public final class Model: Module {
        public let vision: VisionTransformer
        public let text: TextEncoder
        public let visualProjection: Linear
        public let textProjection: Linear
        public var logitScale: Tensor

        init(vision: VisionTransformer, text: TextEncoder, projectionDim: Int, seed: UInt64) {
            var rng = RandomGenerator(seed: seed)
            self.vision = vision
            self.text = text
            visualProjection = Linear(vision.config.hiddenSize, projectionDim, bias: false, rng: &rng)
            textProjection = Linear(text.config.hiddenSize, projectionDim, bias: false, rng: &rng)
            logitScale = Tensor.full([1], Float(Foundation.log(1 / 0.07)))
        }

        public func visit(_ v: inout ParameterVisitor) {
            v.child("", vision)
            v.child("text_model", text)
            v.child("visual_projection", visualProjection)
            v.child("text_projection", textProjection)
            v.param("logit_scale", &logitScale)
        }
    }

    public static let maxLogitScale = Float(Foundation.log(100.0))
    public let model: Model
    public var root: Module { model }

    public init(vision: VisionTransformer, text: TextEncoder, projectionDim: Int, seed: UInt64) {
        model = Model(vision: vision, text: text, projectionDim: projectionDim, seed: seed)
    }

    /// L2-normalised image embeddings [N, P].
    public func imageEmbeddings(_ pixels: Tensor) throws -> Tensor {
        let states = try model.vision.hiddenStates(pixels)
        return try Self.normalize(model.visualProjection(model.vision.pooled(from: states)))
    }

    /// L2-normalised text embeddings [N, P].
    public func textEmbeddings(_ rows: [[Int32]]) throws -> Tensor {
        try Self.normalize(model.textProjection(model.text(rows)))
    }

    static func normalize(_ x: Tensor) throws -> Tensor {
        try x / (x.square().sum(axes: [-1], keepDims: true) + 1e-12).sqrt()
    }

    public func loss(_ batch: TrainingBatch) throws -> (loss: Tensor, tokens: Int) {
        guard case .pairs(let images, let captions) = batch else { throw TrainingError("stage clip needs image-caption pairs") }
        let n = captions.count
        let img = try imageEmbeddings(images), txt = try textEmbeddings(captions)
        let logits = try img.matmul(txt.transposed()) * model.logitScale.exp()
        let targets = try Tensor(shape: [n], int64s: (0..<n).map(Int64.init))
        let loss = try (logits.crossEntropy(targets: targets) + logits.transposed().contiguous().crossEntropy(targets: targets)) * 0.5
        return (loss, n)
    }

    public func afterUpdate() {
        let p = model.logitScale.floatPointer
        p[0] = min(max(p[0], 0), Self.maxLogitScale)
    }

    public func isProjectorParameter(_ key: String) -> Bool { false }
    public func setTraining(_ on: Bool) {}

    /// The vision tower as a Hugging Face `CLIPVisionModel` folder (what later stages load).
    public func writeArtifacts(to folder: String) throws {
        try Artifacts.writeHFFolder(model.vision, config: model.vision.config.json, to: folder + "/vision")
    }
}
