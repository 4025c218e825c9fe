import Foundation

/// Line charts of metric series (training curves, eval metrics against step), drawn into a
/// `Canvas`; the caller encodes the pixels as PNG.
public struct LineChart {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var series: [Series]
    /// Plot y on a log10 scale (losses and learning rates span decades).
    public var logY = false

    public init(title: String, xLabel: String, series: [Series], logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.series = series
        self.logY = logY
    }

    /// Draws the chart into the rectangle (x, y, w, h) of `canvas`.
    public func draw(on canvas: inout Canvas, x: Int, y: Int, w: Int, h: Int) {
        let left = x + 70, right = x + w - 15, top = y + 30, bottom = y + h - 40
        canvas.text(title, x: left, y: y + 8)
        let pts = series.flatMap(\.points).filter { $0.y.isFinite && (!logY || $0.y > 0) }
        guard !pts.isEmpty, right > left + 10, bottom > top + 10 else {
            canvas.text("no data", x: left, y: top + 10)
            return
        }
        func ty(_ v: Double) -> Double { logY ? log10(v) : v }
        var x0 = pts.map(\.x).min()!, x1 = pts.map(\.x).max()!
        var y0 = pts.map { ty($0.y) }.min()!, y1 = pts.map { ty($0.y) }.max()!
        if x1 == x0 { x0 -= 1; x1 += 1 }
        if y1 == y0 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        func px(_ v: Double) -> Int { left + Int((v - x0) / (x1 - x0) * Double(right - left)) }
        func py(_ v: Double) -> Int { bottom - Int((ty(v) - y0) / (y1 - y0) * Double(bottom - top)) }
        // grid and ticks
        for i in 0...4 {
            let fy = y0 + (y1 - y0) * Double(i) / 4
            let yy = bottom - Int(Double(bottom - top) * Double(i) / 4)
            canvas.line(left, yy, right, yy, Canvas.grey)
            let label = LineChart.format(logY ? pow(10, fy) : fy)
            canvas.text(label, x: left - 6 - Canvas.textWidth(label), y: yy - 5)
            let fx = x0 + (x1 - x0) * Double(i) / 4
            let xx = left + Int(Double(right - left) * Double(i) / 4)
            canvas.line(xx, top, xx, bottom, Canvas.grey)
            let xl = LineChart.format(fx)
            canvas.text(xl, x: xx - Canvas.textWidth(xl) / 2, y: bottom + 6)
        }
        canvas.line(left, bottom, right, bottom, Canvas.black)
        canvas.line(left, top, left, bottom, Canvas.black)
        canvas.text(xLabel, x: (left + right - Canvas.textWidth(xLabel)) / 2, y: bottom + 22)
        for (i, s) in series.enumerated() {
            let c = Canvas.palette[i % Canvas.palette.count]
            let valid = s.points.filter { $0.y.isFinite && (!logY || $0.y > 0) }
            for (a, b) in zip(valid, valid.dropFirst()) { canvas.line(px(a.x), py(a.y), px(b.x), py(b.y), c, thickness: 2) }
            if valid.count == 1 { canvas.fill(x: px(valid[0].x) - 2, y: py(valid[0].y) - 2, w: 5, h: 5, c) }
            // legend, top right
            let ly = top + 6 + 16 * i
            let lx = right - 10 - Canvas.textWidth(s.name) - 20
            canvas.fill(x: lx, y: ly + 3, w: 14, h: 4, c)
            canvas.text(s.name, x: lx + 18, y: ly)
        }
    }

    /// Compact tick label: 3 significant digits, scientific below 1e-3 or above 1e5.
    public static func format(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a < 1e-3 || a >= 1e5 { return String(format: "%.1e", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 10 { return String(format: "%.1f", v) }
        if a >= 1 { return String(format: "%.2f", v) }
        return String(format: "%.3f", v)
    }

    /// Charts stacked vertically on one canvas.
    public static func render(_ charts: [LineChart], width: Int = 800, panelHeight: Int = 300) -> Canvas {
        var canvas = Canvas(width: width, height: panelHeight * max(charts.count, 1))
        for (i, c) in charts.enumerated() { c.draw(on: &canvas, x: 0, y: i * panelHeight, w: width, h: panelHeight) }
        return canvas
    }
}
