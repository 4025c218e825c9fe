/// An RGB raster to draw charts on (interleaved 8-bit RGB, row-major, origin top-left).
public struct Canvas {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public typealias Color = (UInt8, UInt8, UInt8)
    public static let white: Color = (255, 255, 255)
    public static let black: Color = (0, 0, 0)
    public static let grey: Color = (200, 200, 200)
    /// Series colours (matplotlib's default cycle).
    public static let palette: [Color] = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40),
                                          (148, 103, 189), (140, 86, 75), (227, 119, 194), (127, 127, 127)]

    public init(width: Int, height: Int, background: Color = Canvas.white) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.0
            pixels[3 * i + 1] = background.1
            pixels[3 * i + 2] = background.2
        }
    }

    public mutating func set(_ x: Int, _ y: Int, _ c: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 3 * (y * width + x)
        pixels[i] = c.0
        pixels[i + 1] = c.1
        pixels[i + 2] = c.2
    }

    public mutating func fill(x: Int, y: Int, w: Int, h: Int, _ c: Color) {
        for yy in y..<(y + h) { for xx in x..<(x + w) { set(xx, yy, c) } }
    }

    /// A line of the given thickness (Bresenham with a square pen).
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: Color, thickness: Int = 1) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        let r = (thickness - 1) / 2
        while true {
            for oy in -r...(thickness - 1 - r) { for ox in -r...(thickness - 1 - r) { set(x + ox, y + oy, c) } }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Text in the 3x5 font at pixel `scale`, top-left at (x, y).
    public mutating func text(_ s: String, x: Int, y: Int, scale: Int = 2, _ c: Color = Canvas.black) {
        var cx = x
        for ch in s {
            let g = BitmapFont.glyph(ch)
            for (row, bits) in g.enumerated() {
                for col in 0..<BitmapFont.width where bits & (1 << (BitmapFont.width - 1 - col)) != 0 {
                    fill(x: cx + col * scale, y: y + row * scale, w: scale, h: scale, c)
                }
            }
            cx += (BitmapFont.width + 1) * scale
        }
    }

    public static func textWidth(_ s: String, scale: Int = 2) -> Int { s.count * (BitmapFont.width + 1) * scale - scale }
}
