/// One number of a report under a stable name, for tables across checkpoints and plots:
/// `pope.f1`, `pope[adversarial].accuracy`, `mme.perception`, `mme[existence].score`,
/// `choice.accuracy`, `short.accuracy`, `caption.bleu4`, `caption.cider`, `ground.accuracy`, ...
public struct NamedMetric: Equatable, Sendable {
    public var name: String
    public var value: Double
}

extension EvalReport {
    /// The report's numbers in a fixed order: per type, the overall metrics, then each group's
    /// (groups sorted by name).
    public var namedMetrics: [NamedMetric] {
        var list: [NamedMetric] = []
        func add<M>(_ prefix: String, _ grouped: Grouped<M>?, _ fields: (M) -> [(String, Double)]) {
            guard let grouped else { return }
            for (field, value) in fields(grouped.overall) { list.append(NamedMetric(name: "\(prefix).\(field)", value: value)) }
            for group in grouped.groups.keys.sorted() {
                for (field, value) in fields(grouped.groups[group]!) {
                    list.append(NamedMetric(name: "\(prefix)[\(group)].\(field)", value: value))
                }
            }
        }
        if let yesno {
            add("pope", yesno.pope) { [("accuracy", $0.accuracy), ("precision", $0.precision), ("recall", $0.recall),
                                       ("f1", $0.f1), ("yes_ratio", $0.yesRatio)] }
            if let perception = yesno.mme.perception { list.append(NamedMetric(name: "mme.perception", value: perception)) }
            if let cognition = yesno.mme.cognition { list.append(NamedMetric(name: "mme.cognition", value: cognition)) }
            for name in yesno.mme.subtasks.keys.sorted() {
                let subtask = yesno.mme.subtasks[name]!
                list.append(NamedMetric(name: "mme[\(name)].acc", value: subtask.acc))
                list.append(NamedMetric(name: "mme[\(name)].acc_plus", value: subtask.accPlus))
                list.append(NamedMetric(name: "mme[\(name)].score", value: subtask.score))
            }
        }
        add("choice", choice) { [("accuracy", $0.accuracy)] }
        add("short", short) { [("accuracy", $0.accuracy)] }
        add("caption", caption) { metrics in
            metrics.bleu.enumerated().map { ("bleu\($0.offset + 1)", $0.element) } + [("cider", metrics.cider)]
        }
        add("ground", ground) { [("accuracy", $0.accuracy), ("mean_iou", $0.meanIoU)] }
        return list
    }
}
