/// A box `[x1, y1, x2, y2]`: left, top, right, bottom.
///
/// Eval sets store boxes normalised to 0-1 by the image's width and height, as LLaVA-1.5
/// writes them in its referring-expression data ("[0.12, 0.3, 0.56, 0.78]"); answers are
/// read in the same frame. IoU itself does not depend on the frame, but both boxes must be in
/// the same one: a model answering in pixels scores (near) zero.
public struct Box: Equatable, Sendable, Codable {
    public var x1, y1, x2, y2: Double

    public init(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) {
        (self.x1, self.y1, self.x2, self.y2) = (x1, y1, x2, y2)
    }

    /// Within 0-1 and not inverted: what a reference box must be.
    public var isNormalised: Bool {
        0 <= x1 && x1 <= x2 && x2 <= 1 && 0 <= y1 && y1 <= y2 && y2 <= 1
    }

    /// Width times height; 0 for an inverted box.
    public var area: Double { max(0, x2 - x1) * max(0, y2 - y1) }

    /// Intersection over union; 0 when the union is empty.
    public func iou(_ other: Box) -> Double {
        let width = max(0, min(x2, other.x2) - max(x1, other.x1))
        let height = max(0, min(y2, other.y2) - max(y1, other.y1))
        let intersection = width * height
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }

    /// The first `[a, b, c, d]` in `text` whose four entries are plain decimal numbers
    /// (optionally signed, with or without a fraction: `0`, `12`, `0.25`, `.5`, `3.`), spaces
    /// allowed around them; nil when there is none. The fixture script reads boxes with the
    /// equivalent regular expression.
    ///
    ///     Box.firstBox(in: "The dog is at [0.1, 0.2, 0.5,0.9].")   // Box(0.1, 0.2, 0.5, 0.9)
    public static func firstBox(in text: String) -> Box? {
        let bytes = Array(text.utf8)
        var start = 0
        while let open = bytes[start...].firstIndex(of: UInt8(ascii: "[")) {
            if let values = numbers(in: bytes, after: open) { return Box(values[0], values[1], values[2], values[3]) }
            start = open + 1
        }
        return nil
    }

    /// Four comma-separated numbers and the closing bracket after `bytes[open]`.
    private static func numbers(in bytes: [UInt8], after open: Int) -> [Double]? {
        var index = open + 1
        var values: [Double] = []
        func skipSpaces() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        for position in 0..<4 {
            skipSpaces()
            guard let value = number(in: bytes, at: &index) else { return nil }
            values.append(value)
            skipSpaces()
            let separator = position < 3 ? UInt8(ascii: ",") : UInt8(ascii: "]")
            guard index < bytes.count, bytes[index] == separator else { return nil }
            index += 1
        }
        return values
    }

    /// `-?[0-9]+(\.[0-9]*)?|-?\.[0-9]+` at `index`, advancing past it.
    private static func number(in bytes: [UInt8], at index: inout Int) -> Double? {
        let start = index
        var cursor = index
        func digits() -> Int {
            let from = cursor
            while cursor < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[cursor]) { cursor += 1 }
            return cursor - from
        }
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "-") { cursor += 1 }
        let whole = digits()
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ".") {
            cursor += 1
            let fraction = digits()
            guard whole > 0 || fraction > 0 else { return nil }
        } else {
            guard whole > 0 else { return nil }
        }
        guard let value = Double(String(decoding: bytes[start..<cursor], as: UTF8.self)) else { return nil }
        index = cursor
        return value
    }
}

/// Grounding scoring: accuracy of IoU >= 0.5 between the first box in each answer and the
/// reference box, the usual referring-expression measure (RefCOCO "Acc@0.5"). LLaVA ships no
/// scorer for it; this is our definition, written out in the fixture script too.
public enum Grounding {
    public static let threshold = 0.5

    public static func score(answers: [String], references: [Box]) -> GroundingMetrics {
        precondition(answers.count == references.count, "\(answers.count) answers for \(references.count) boxes")
        var correct = 0, unparsed = 0
        var iouSum = 0.0
        for (answer, reference) in zip(answers, references) {
            guard let box = Box.firstBox(in: answer) else { unparsed += 1; continue }
            let iou = box.iou(reference)
            iouSum += iou
            if iou >= threshold { correct += 1 }
        }
        let count = answers.count
        return GroundingMetrics(count: count, correct: correct, unparsed: unparsed,
                                accuracy: count > 0 ? Double(correct) / Double(count) : 0,
                                meanIoU: count > 0 ? iouSum / Double(count) : 0)
    }
}

/// Grounding results.
public struct GroundingMetrics: Codable, Equatable, Sendable {
    public var count: Int
    /// Answers whose box has IoU >= 0.5 with the reference.
    public var correct: Int
    /// Answers without a box (counted wrong, IoU 0).
    public var unparsed: Int
    public var accuracy: Double
    /// Mean IoU, unparsed answers counting 0.
    public var meanIoU: Double

    enum CodingKeys: String, CodingKey {
        case count, correct, unparsed, accuracy
        case meanIoU = "mean_iou"
    }
}
