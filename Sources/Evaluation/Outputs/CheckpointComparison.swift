import Foundation

/// The report of one checkpoint, for comparing checkpoints of a run.
public struct CheckpointResult: Sendable {
    /// How the checkpoint is shown: its folder name, e.g. "step-0001000".
    public var name: String
    public var step: Int
    public var report: EvalReport

    public init(name: String, step: Int, report: EvalReport) {
        self.name = name
        self.step = step
        self.report = report
    }

    /// The report's metrics by name.
    var metricValues: [String: Double] {
        Dictionary(report.namedMetrics.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}

/// One metric over training steps: what the plot of a run's evaluations draws.
public struct MetricSeries: Codable, Equatable, Sendable {
    public var metric: String
    /// Steps, increasing; only checkpoints whose report has the metric.
    public var steps: [Int]
    public var values: [Double]
}

/// Metrics of several checkpoints side by side: a markdown table (a row per metric, a column per
/// checkpoint, ordered by step) and the series to plot.
public enum CheckpointComparison {
    public static let markdownFile = "comparison.md"
    public static let seriesFile = "comparison.json"

    /// The checkpoints ordered by step (then name).
    static func ordered(_ results: [CheckpointResult]) -> [CheckpointResult] {
        results.sorted { ($0.step, $0.name) < ($1.step, $1.name) }
    }

    /// Metric names in the order they first appear across the ordered checkpoints.
    static func metricNames(_ results: [CheckpointResult]) -> [String] {
        var seen = Set<String>()
        var names: [String] = []
        for result in results {
            for metric in result.report.namedMetrics where seen.insert(metric.name).inserted { names.append(metric.name) }
        }
        return names
    }

    /// A metric x checkpoint table; "–" where a checkpoint's report lacks the metric.
    public static func markdown(_ results: [CheckpointResult]) -> String {
        let ordered = ordered(results)
        var table = MarkdownTable(["metric"] + ordered.map { "\($0.name) (step \($0.step))" })
        let values = ordered.map(\.metricValues)
        for name in metricNames(ordered) {
            table.add([name] + values.map { $0[name].map(formatMetric) ?? "–" })
        }
        return "# Evaluation across checkpoints\n\n" + table.text
    }

    /// Every metric's values over steps.
    public static func series(_ results: [CheckpointResult]) -> [MetricSeries] {
        let ordered = ordered(results)
        let values = ordered.map(\.metricValues)
        return metricNames(ordered).map { name in
            var series = MetricSeries(metric: name, steps: [], values: [])
            for (result, metrics) in zip(ordered, values) {
                if let value = metrics[name] {
                    series.steps.append(result.step)
                    series.values.append(value)
                }
            }
            return series
        }
    }

    /// Writes `comparison.md` and `comparison.json` (the series) into `folder`.
    public static func write(_ results: [CheckpointResult], to folder: URL) throws {
        try EvaluationOutputs.createFolder(folder)
        do {
            try Data(markdown(results).utf8).write(to: folder.appendingPathComponent(markdownFile), options: .atomic)
            var data = try ReportJSON.encoder.encode(series(results))
            data.append(0x0A)
            try data.write(to: folder.appendingPathComponent(seriesFile), options: .atomic)
        } catch {
            throw EvaluationError.unwritable(path: folder.path, reason: "\(error)")
        }
    }
}
