import Foundation
import Imaging
import Tensors

/// The synthetic world of the demo: 64x64 images with 1-4 coloured shapes, one per
/// quadrant, and everything that can be said about them. Deterministic per seed.
public struct ShapesWorld {
    public enum Shape: String, CaseIterable { case circle, square, triangle }
    public enum Colour: String, CaseIterable { case red, green, blue, yellow }
    public enum Quadrant: Int, CaseIterable {
        case topLeft, topRight, bottomLeft, bottomRight
        public var name: String { ["top left", "top right", "bottom left", "bottom right"][rawValue] }
    }

    public struct Object: Equatable {
        public var shape: Shape
        public var colour: Colour
        public var quadrant: Quadrant
        public var centerX: Int
        public var centerY: Int
        public var radius: Int

        public var phrase: String { "\(colour.rawValue) \(shape.rawValue)" }

        /// Bounding box normalised to 0...1, two decimals: [x1, y1, x2, y2].
        public func box(side: Int) -> [Double] {
            let s = Double(side)
            func r(_ v: Double) -> Double { (v * 100).rounded() / 100 }
            return [r(Double(centerX - radius) / s), r(Double(centerY - radius) / s), r(Double(centerX + radius + 1) / s), r(Double(centerY + radius + 1) / s)]
        }
    }

    public struct Scene: Equatable {
        public var objects: [Object]
        /// Objects in reading order (quadrant order).
        public var sorted: [Object] { objects.sorted { $0.quadrant.rawValue < $1.quadrant.rawValue } }
        /// A content signature: two scenes with the same one look the same.
        public var signature: String { sorted.map { "\($0.phrase)@\($0.quadrant.rawValue):\($0.centerX),\($0.centerY),\($0.radius)" }.joined(separator: ";") }
    }

    public static let side = 64
    public static let background = RGBPixel(red: 235, green: 235, blue: 235)

    public static func rgb(_ c: Colour) -> RGBPixel {
        switch c {
        case .red: return RGBPixel(red: 220, green: 40, blue: 40)
        case .green: return RGBPixel(red: 40, green: 170, blue: 60)
        case .blue: return RGBPixel(red: 40, green: 80, blue: 220)
        case .yellow: return RGBPixel(red: 230, green: 200, blue: 30)
        }
    }

    /// A random scene: 1-4 objects in distinct quadrants, sizes and positions jittered.
    public static func scene(rng: inout RandomGenerator) -> Scene {
        let count = 1 + rng.nextInt(below: 4)
        let quadrants = Array(rng.permutation(4).prefix(count))
        let objects = quadrants.map { q -> Object in
            let quad = Quadrant(rawValue: q)!
            let cx = (q % 2 == 0 ? 16 : 48) + rng.nextInt(below: 5) - 2
            let cy = (q / 2 == 0 ? 16 : 48) + rng.nextInt(below: 5) - 2
            return Object(shape: Shape.allCases[rng.nextInt(below: 3)], colour: Colour.allCases[rng.nextInt(below: 4)],
                          quadrant: quad, centerX: cx, centerY: cy, radius: 10 + rng.nextInt(below: 3))
        }
        return Scene(objects: objects)
    }

    public static func render(_ scene: Scene) -> RGBImage {
        var img = RGBImage(width: side, height: side, filledWith: background)
        for o in scene.objects {
            let c = rgb(o.colour)
            for y in max(0, o.centerY - o.radius)...min(side - 1, o.centerY + o.radius) {
                for x in max(0, o.centerX - o.radius)...min(side - 1, o.centerX + o.radius) {
                    let dx = Double(x - o.centerX), dy = Double(y - o.centerY), r = Double(o.radius)
                    let inside: Bool
                    switch o.shape {
                    case .square: inside = abs(dx) <= r * 0.8 && abs(dy) <= r * 0.8
                    case .circle: inside = dx * dx + dy * dy <= r * r
                    case .triangle:
                        // apex up: y from -r to r, half-width grows linearly with y
                        let t = (dy + r) / (2 * r)
                        inside = dy >= -r && dy <= r && abs(dx) <= t * r
                    }
                    if inside { img[x, y] = c }
                }
            }
        }
        return img
    }

    static let numbers = ["zero", "one", "two", "three", "four"]

    /// "a photo of a red circle in the top left and a blue square in the bottom right."
    public static func caption(_ scene: Scene) -> String {
        let parts = scene.sorted.map { "a \($0.phrase) in the \($0.quadrant.name)" }
        var text = "a photo of "
        if parts.count == 1 { text += parts[0] } else { text += parts.dropLast().joined(separator: ", ") + " and " + parts.last! }
        return text + "."
    }
}
