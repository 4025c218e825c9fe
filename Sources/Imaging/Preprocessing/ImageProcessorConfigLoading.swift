import Foundation

extension ImageProcessorConfig {
    /// The tower's `preprocessor_config.json` if the folder has one, else `fallback`.
    public static func load(towerDirectory: URL, fallback: ImageProcessorConfig) throws
        -> ImageProcessorConfig
    {
        let file = towerDirectory.appendingPathComponent("preprocessor_config.json")
        guard FileManager.default.fileExists(atPath: file.path) else { return fallback }
        return try ImageProcessorConfig(contentsOf: file)
    }

    /// Reads a `preprocessor_config.json`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImagingError(.unreadable, "cannot read the file (\(error.localizedDescription))",
                               source: url.path)
        }
        try self.init(json: data, source: url.path)
    }

    /// Parses a `preprocessor_config.json` the way transformers reads it. The processor class
    /// (`image_processor_type`, or the older `feature_extractor_type`) picks the defaults for
    /// missing keys: SigLIP's for a Siglip class, CLIP's otherwise. `size` may be an integer
    /// (a shortest edge, as in openai/clip-vit-large-patch14-336), `{"shortest_edge": N}`,
    /// `{"height": H, "width": W}` or `[H, W]`; `crop_size` an integer (a square) or the
    /// same dictionary or list. Other keys are ignored.
    ///
    /// (JSONDecoder, not JSONSerialization: on Linux the latter can miss the nearest double,
    /// e.g. for 0.00392156862745098, and the rescale factor must be transformers' exactly.)
    public init(json data: Data, source: String? = nil) throws {
        func invalid(_ message: String) -> ImagingError {
            ImagingError(.invalidConfiguration, message, source: source)
        }
        let file: PreprocessorConfigFile
        do {
            file = try JSONDecoder().decode(PreprocessorConfigFile.self, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw invalid("not a JSON object")
        } catch DecodingError.dataCorrupted(let context) {
            throw invalid(context.debugDescription)
        } catch DecodingError.typeMismatch(_, let context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw invalid(key.isEmpty ? "not a JSON object" : "\(key) has the wrong type")
        } catch {
            throw invalid("cannot parse: \(error)")
        }

        let processorClass = file.image_processor_type ?? file.feature_extractor_type ?? ""
        self = processorClass.lowercased().contains("siglip") ? .siglip() : .clip()

        switch file.size {
        case nil: break
        case .side(let side)?, .shortestEdge(let side)?: resize = .shortestEdge(side)
        case .pair(let size)?: resize = .exact(size)
        }
        var cropSize = centerCrop ?? .square(224)
        switch file.crop_size {
        case nil: break
        case .side(let side)?: cropSize = .square(side)
        case .pair(let size)?: cropSize = size
        case .shortestEdge?: throw invalid("crop_size needs height and width")
        }
        centerCrop = (file.do_center_crop ?? (centerCrop != nil)) ? cropSize : nil

        if let number = file.resample {
            guard let filter = ResampleFilter(rawValue: number) else {
                throw invalid("resample must be one of Pillow's filter numbers 0...7, not \(number)")
            }
            resample = filter
        }
        if let factor = file.rescale_factor { rescaleFactor = factor }
        if file.do_rescale == false { rescaleFactor = 1 }
        if let mean = file.image_mean { imageMean = mean.values }
        if let std = file.image_std { imageStd = std.values }
        if file.do_normalize == false {
            imageMean = [0, 0, 0]
            imageStd = [1, 1, 1]
        }

        var sides = centerCrop.map { [$0.height, $0.width] } ?? []
        switch resize {
        case .shortestEdge(let side): sides.append(side)
        case .exact(let size): sides += [size.height, size.width]
        }
        if sides.contains(where: { $0 <= 0 }) { throw invalid("sizes must be positive") }
        if imageStd.contains(0) { throw invalid("image_std must not contain 0") }
    }
}

/// The keys of a preprocessor_config.json that matter here, named as in the file.
private struct PreprocessorConfigFile: Decodable {
    var image_processor_type: String?
    var feature_extractor_type: String?
    var size: SizeEntry?
    var crop_size: SizeEntry?
    var do_center_crop: Bool?
    var resample: Int?
    var rescale_factor: Double?
    var do_rescale: Bool?
    var do_normalize: Bool?
    var image_mean: ChannelEntry?
    var image_std: ChannelEntry?
}

/// `size` or `crop_size`: an integer, `[height, width]`, or a dictionary.
private enum SizeEntry: Decodable {
    case side(Int)
    case shortestEdge(Int)
    case pair(PixelSize)

    private enum Keys: String, CodingKey {
        case shortest_edge, longest_edge, height, width
    }

    init(from decoder: Decoder) throws {
        if let side = try? decoder.singleValueContainer().decode(Int.self) {
            self = .side(side)
            return
        }
        if let list = try? decoder.singleValueContainer().decode([Int].self) {
            guard list.count == 2 else { throw Self.corrupt(decoder, "a size list must be [height, width]") }
            self = .pair(PixelSize(height: list[0], width: list[1]))
            return
        }
        guard let keyed = try? decoder.container(keyedBy: Keys.self) else {
            throw Self.corrupt(decoder, "must be an integer, a dictionary or [height, width]")
        }
        if keyed.contains(.longest_edge) {
            throw Self.corrupt(decoder, "longest_edge is not supported")
        }
        if let edge = try keyed.decodeIfPresent(Int.self, forKey: .shortest_edge) {
            self = .shortestEdge(edge)
            return
        }
        guard let height = try keyed.decodeIfPresent(Int.self, forKey: .height),
              let width = try keyed.decodeIfPresent(Int.self, forKey: .width)
        else { throw Self.corrupt(decoder, "needs shortest_edge or height and width") }
        self = .pair(PixelSize(height: height, width: width))
    }

    private static func corrupt(_ decoder: Decoder, _ problem: String) -> DecodingError {
        let key = decoder.codingPath.map(\.stringValue).joined(separator: ".")
        return .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(key) \(problem)"))
    }
}

/// `image_mean` or `image_std`: three numbers, or one for every channel.
private struct ChannelEntry: Decodable {
    let values: [Double]

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(Double.self) {
            values = [single, single, single]
            return
        }
        let list = try container.decode([Double].self)
        guard list.count == 3 else {
            let key = decoder.codingPath.map(\.stringValue).joined(separator: ".")
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "\(key) must be one number or three"))
        }
        values = list
    }
}
