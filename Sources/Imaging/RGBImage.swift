/// One RGB pixel, 8 bits per channel.
public struct RGBPixel: Equatable, Hashable, Sendable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }
}

/// An 8-bit RGB image in memory: rows top to bottom, pixels left to right, channels
/// interleaved (`pixels[(y * width + x) * 3 + c]`), the layout of a NumPy `[H, W, 3]` uint8
/// array and of a shard's `/images/pixels` entry.
///
/// ```swift
/// let image = try RGBImage(contentsOf: URL(fileURLWithPath: "cat.jpg"))
/// let square = image.paddedToSquare(background: RGBPixel(red: 122, green: 116, blue: 104))
/// ```
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes.
    public var pixels: [UInt8]

    /// Wraps existing pixels; their count must be `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width) x \(height)")
        precondition(pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes for \(width) x \(height) x 3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image of one colour.
    public init(width: Int, height: Int, filledWith colour: RGBPixel) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = colour.red
            pixels[i + 1] = colour.green
            pixels[i + 2] = colour.blue
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Bytes in one row.
    public var rowBytes: Int { width * 3 }

    public subscript(x: Int, y: Int) -> RGBPixel {
        get {
            let i = (y * width + x) * 3
            return RGBPixel(red: pixels[i], green: pixels[i + 1], blue: pixels[i + 2])
        }
        set {
            let i = (y * width + x) * 3
            pixels[i] = newValue.red
            pixels[i + 1] = newValue.green
            pixels[i + 2] = newValue.blue
        }
    }
}

/// An 8-bit greyscale image (one byte per pixel, rows top to bottom), for plots and masks
/// that are written as greyscale PNG or JPEG.
public struct GreyImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "GreyImage: negative size \(width) x \(height)")
        precondition(pixels.count == width * height,
                     "GreyImage: \(pixels.count) bytes for \(width) x \(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
