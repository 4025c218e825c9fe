import Foundation

/// A side length pair, height first as in transformers' size dictionaries.
public struct PixelSize: Equatable, Sendable {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    public static func square(_ side: Int) -> PixelSize { PixelSize(height: side, width: side) }

    /// The side, when height and width agree.
    public var squareSide: Int? { height == width ? height : nil }
}

/// How a vision tower wants its images prepared: the fields of a Hugging Face
/// `preprocessor_config.json` that transformers' CLIPImageProcessor and
/// SiglipImageProcessor act on.
///
/// ```swift
/// let config = try ImageProcessorConfig.load(towerDirectory: towerURL, fallback: .clip(side: 336))
/// ```
public struct ImageProcessorConfig: Equatable, Sendable {
    /// What the resize step aims for.
    public enum ResizeTarget: Equatable, Sendable {
        /// Scale so the shorter side is this long, keeping the aspect ratio (CLIP).
        case shortestEdge(Int)
        /// Scale to exactly this size, ignoring the aspect ratio (SigLIP).
        case exact(PixelSize)
    }

    public var resize: ResizeTarget
    /// The centre crop after resizing; nil when `do_center_crop` is false.
    public var centerCrop: PixelSize?
    public var resample: ResampleFilter
    /// Multiplies the 0...255 samples (1/255); 1 when `do_rescale` is false.
    public var rescaleFactor: Double
    /// Per-channel mean and standard deviation; 0 and 1 when `do_normalize` is false.
    public var imageMean: [Double]
    public var imageStd: [Double]

    public init(resize: ResizeTarget, centerCrop: PixelSize?, resample: ResampleFilter = .bicubic,
                rescaleFactor: Double = 1.0 / 255.0, imageMean: [Double], imageStd: [Double]) {
        self.resize = resize
        self.centerCrop = centerCrop
        self.resample = resample
        self.rescaleFactor = rescaleFactor
        self.imageMean = imageMean
        self.imageStd = imageStd
    }

    /// OpenAI CLIP's statistics, from transformers' `OPENAI_CLIP_MEAN` / `OPENAI_CLIP_STD`.
    public static let clipMean = [0.48145466, 0.4578275, 0.40821073]
    public static let clipStd = [0.26862954, 0.26130258, 0.27577711]

    /// CLIPImageProcessor's defaults with the given side (224 for ViT-L/14, 336 for
    /// ViT-L/14-336): bicubic resize of the shortest edge to `side`, centre crop `side`.
    public static func clip(side: Int = 224) -> ImageProcessorConfig {
        ImageProcessorConfig(resize: .shortestEdge(side), centerCrop: .square(side),
                             imageMean: clipMean, imageStd: clipStd)
    }

    /// SiglipImageProcessor's defaults: bicubic resize to `side` x `side` (224, or 384 for
    /// so400m-patch14-384), mean and std 0.5, no crop.
    public static func siglip(side: Int = 224) -> ImageProcessorConfig {
        ImageProcessorConfig(resize: .exact(.square(side)), centerCrop: nil,
                             imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5])
    }

    /// The same processing aimed at `side` x `side` outputs (the converter's `--image-size`):
    /// the resize target and the crop, if any, both become `side`.
    public func withOutputSide(_ side: Int) -> ImageProcessorConfig {
        var copy = self
        switch resize {
        case .shortestEdge: copy.resize = .shortestEdge(side)
        case .exact: copy.resize = .exact(.square(side))
        }
        if centerCrop != nil { copy.centerCrop = .square(side) }
        return copy
    }
}
