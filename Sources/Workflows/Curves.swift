import Charts
import Foundation
import Imaging

/// `curves.png` of a run: loss and learning rate against step, from metrics.jsonl.
public enum Curves {
    public static func write(metrics path: String, to output: String, title: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        var latest: [Int: [String: Double]] = [:]
        for line in text.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let step = obj["step"] as? Int else { continue }
            var values: [String: Double] = [:]
            for (k, v) in obj { if let n = v as? NSNumber { values[k] = n.doubleValue } }
            latest[step] = values  // a resumed run rewrites the steps after its checkpoint
        }
        let steps = latest.keys.sorted()
        func series(_ key: String) -> [(x: Double, y: Double)] { steps.compactMap { s in latest[s]?[key].map { (Double(s), $0) } } }
        let charts = [
            LineChart(title: "\(title): training loss", xLabel: "step", series: [.init(name: "loss", points: series("loss"))]),
            LineChart(title: "learning rate", xLabel: "step", series: [.init(name: "lr", points: series("lr"))]),
        ]
        let canvas = LineChart.render(charts)
        try RGBImage(width: canvas.width, height: canvas.height, pixels: canvas.pixels).pngData().write(to: URL(fileURLWithPath: output), options: .atomic)
    }
}
