/// Turns decoded images into what a vision tower takes, with pixel parity to transformers'
/// PIL-based processors (`use_fast=False`) and LLaVA-1.5's `expand2square`.
///
/// Two steps, because shards store the first and the loader does the second per sample:
/// `preprocess` gives the resized, cropped or padded uint8 image of `outputSide` x
/// `outputSide` (a shard's `/images/pixels` entry), and `normalizer` turns such an image
/// into the f32 `[3, S, S]` `pixel_values`.
///
/// ```swift
/// let preprocessor = try ImagePreprocessor(config: .clip(side: 336), mode: .pad)
/// let square = preprocessor.preprocess(try RGBImage(contentsOf: url))   // 336 x 336 uint8
/// let pixelValues = preprocessor.normalizer.normalize(square)           // [3 * 336 * 336]
/// ```
public struct ImagePreprocessor: Sendable {
    public let config: ImageProcessorConfig
    public let mode: ImageMode
    /// The side of every output image.
    public let outputSide: Int
    /// LLaVA's padding colour: `tuple(int(x * 255) for x in image_processor.image_mean)`.
    public let padColour: RGBPixel
    public let normalizer: PixelNormalizer
    /// Which Pillow's resize to agree with (see `ResamplePassOrder`).
    public let passOrder: ResamplePassOrder

    /// Throws `.invalidConfiguration` when this mode cannot give square images with this
    /// configuration (a non-square crop, or `crop` mode with a shortest-edge resize and no
    /// centre crop), or when the mean or std does not have three values.
    public init(config: ImageProcessorConfig, mode: ImageMode,
                passOrder: ResamplePassOrder = .pillow13) throws {
        guard config.imageMean.count == 3, config.imageStd.count == 3 else {
            throw ImagingError(.invalidConfiguration, "image_mean and image_std need three values")
        }
        self.config = config
        self.mode = mode
        self.passOrder = passOrder
        self.outputSide = try Self.outputSide(config: config, mode: mode)
        let channel = config.imageMean.map { UInt8(clamping: Int($0 * 255)) }
        self.padColour = RGBPixel(red: channel[0], green: channel[1], blue: channel[2])
        self.normalizer = PixelNormalizer(mean: config.imageMean, std: config.imageStd,
                                          rescaleFactor: config.rescaleFactor)
    }

    /// The side of the square a mode makes: the centre crop's if there is one, else the
    /// resize target's (a shortest edge gives a square only for square inputs, as in pad mode).
    private static func outputSide(config: ImageProcessorConfig, mode: ImageMode) throws -> Int {
        func invalid(_ message: String) -> ImagingError {
            ImagingError(.invalidConfiguration, "\(mode.rawValue) mode: \(message)")
        }
        switch (mode, config.centerCrop, config.resize) {
        case (_, let crop?, _):
            guard let side = crop.squareSide else {
                throw invalid("the centre crop \(crop.height) x \(crop.width) is not square")
            }
            return side
        case (.crop, nil, .shortestEdge):
            throw invalid("a shortest-edge resize without a centre crop does not give a square")
        case (_, nil, .shortestEdge(let edge)):
            return edge
        case (_, nil, .exact(let size)):
            guard let side = size.squareSide else {
                throw invalid("the resize to \(size.height) x \(size.width) is not square")
            }
            return side
        }
    }

    /// The image as the tower sees it before normalisation: `outputSide` x `outputSide`.
    public func preprocess(_ image: RGBImage) -> RGBImage {
        switch mode {
        case .resize:
            return image.resized(width: outputSide, height: outputSide, filter: config.resample,
                                 passOrder: passOrder)
        case .crop:
            return clipProcessing(image)
        case .pad:
            return clipProcessing(image.paddedToSquare(background: padColour))
        }
    }

    /// `preprocess` then normalisation: the f32 `[3, S, S]` pixel values.
    public func pixelValues(_ image: RGBImage) -> [Float] {
        normalizer.normalize(preprocess(image))
    }

    /// CLIPImageProcessor's resize and centre crop. When the crop lies inside the resized
    /// image (always, unless the crop is larger than the shortest edge), only the cropped
    /// window is computed: the same pixels, without scaling a long banner to full length.
    private func clipProcessing(_ image: RGBImage) -> RGBImage {
        let size = Self.resizedSize(width: image.width, height: image.height, target: config.resize)
        guard let crop = config.centerCrop else {
            return image.resized(width: size.width, height: size.height, filter: config.resample,
                                 passOrder: passOrder)
        }
        guard size.width >= crop.width, size.height >= crop.height else {
            let resized = image.resized(width: size.width, height: size.height,
                                        filter: config.resample, passOrder: passOrder)
            return resized.centerCropped(width: crop.width, height: crop.height)
        }
        let left = (size.width - crop.width) / 2, top = (size.height - crop.height) / 2
        return image.resized(width: size.width, height: size.height,
                             columns: left ..< left + crop.width, rows: top ..< top + crop.height,
                             filter: config.resample, passOrder: passOrder)
    }

    /// transformers' `get_resize_output_image_size` with `default_to_square=False`: the
    /// short side becomes `edge`, the long side `int(edge * long / short)` (truncated).
    static func resizedSize(width: Int, height: Int, target: ImageProcessorConfig.ResizeTarget)
        -> PixelSize
    {
        switch target {
        case .exact(let size):
            return size
        case .shortestEdge(let edge):
            let short = min(width, height), long = max(width, height)
            let newLong = Int(Double(edge * long) / Double(short))
            return width <= height ? PixelSize(height: newLong, width: edge)
                                   : PixelSize(height: edge, width: newLong)
        }
    }
}
