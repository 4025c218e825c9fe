/// `report.md`: the report as tables a person reads.
enum ReportMarkdown {
    static func text(_ report: EvalReport) -> String {
        var out = "# Evaluation report\n\n"
        var facts: [String] = []
        if let model = report.model { facts.append("model: `\(model)`") }
        if let style = report.promptStyle { facts.append("prompts: \(style.rawValue)") }
        if !facts.isEmpty { out += facts.joined(separator: ", ") + "\n\n" }

        let counts = report.counts
        var items = MarkdownTable(["items", "count"])
        items.add(["in the set", "\(counts.items)"])
        items.add(["answered", "\(counts.answered)"])
        items.add(["without an answer (not scored)", "\(counts.unanswered)"])
        for type in counts.byType.keys.sorted() { items.add(["type \(type)", "\(counts.byType[type]!)"]) }
        out += items.text + "\n"
        if !counts.skipped.isEmpty {
            var skipped = MarkdownTable(["skipped lines", "count"])
            for reason in counts.skipped.keys.sorted() { skipped.add([reason, "\(counts.skipped[reason]!)"]) }
            out += skipped.text + "\n"
        }

        if let yesno = report.yesno {
            out += "## Yes/no: POPE (`eval_pope.py` parsing)\n\n"
            out += table(yesno.pope, ["count", "accuracy", "precision", "recall", "F1", "yes ratio", "TP", "FP", "TN", "FN"]) {
                ["\($0.count)", formatMetric($0.accuracy), formatMetric($0.precision), formatMetric($0.recall), formatMetric($0.f1),
                 formatMetric($0.yesRatio), "\($0.truePositives)", "\($0.falsePositives)", "\($0.trueNegatives)", "\($0.falseNegatives)"]
            }
            out += "\n## Yes/no: MME (`calculation.py` parsing; score = 100 acc + 100 acc+)\n\n"
            var mme = MarkdownTable(["subtask", "questions", "images", "acc", "acc+", "score", "neither yes nor no"])
            for name in yesno.mme.subtasks.keys.sorted() {
                let s = yesno.mme.subtasks[name]!
                mme.add([name, "\(s.questions)", "\(s.images)", formatMetric(s.acc), formatMetric(s.accPlus),
                         formatMetric(s.score), "\(s.other)"])
            }
            if let perception = yesno.mme.perception { mme.add(["**perception**", "", "", "", "", formatMetric(perception), ""]) }
            if let cognition = yesno.mme.cognition { mme.add(["**cognition**", "", "", "", "", formatMetric(cognition), ""]) }
            out += mme.text
        }
        if let choice = report.choice {
            out += "\n## Multiple choice (ScienceQA parsing)\n\n"
            out += table(choice, ["count", "correct", "no letter", "accuracy"]) {
                ["\($0.count)", "\($0.correct)", "\($0.failed)", formatMetric($0.accuracy)]
            }
        }
        if let short = report.short {
            out += "\n## Short answers (VQA accuracy)\n\n"
            out += table(short, ["count", "accuracy", "fully correct"]) {
                ["\($0.count)", formatMetric($0.accuracy), "\($0.fullyCorrect)"]
            }
        }
        if let caption = report.caption {
            out += "\n## Captions (BLEU, CIDEr-D)\n\n"
            out += table(caption, ["count", "BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "CIDEr-D"]) {
                ["\($0.count)"] + $0.bleu.map(formatMetric) + [formatMetric($0.cider)]
            }
        }
        if let ground = report.ground {
            out += "\n## Grounding (IoU >= 0.5)\n\n"
            out += table(ground, ["count", "correct", "no box", "accuracy", "mean IoU"]) {
                ["\($0.count)", "\($0.correct)", "\($0.unparsed)", formatMetric($0.accuracy), formatMetric($0.meanIoU)]
            }
        }
        return out
    }

    /// A table with the overall row ("all") first, then one row per group.
    static func table<M>(_ grouped: Grouped<M>, _ columns: [String], _ cells: (M) -> [String]) -> String {
        var table = MarkdownTable(["group"] + columns)
        table.add(["all"] + cells(grouped.overall))
        for group in grouped.groups.keys.sorted() { table.add([group] + cells(grouped.groups[group]!)) }
        return table.text
    }
}
