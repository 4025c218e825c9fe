/// Scores the answers to an eval set: each task type with its public script's rules, over all
/// answered items of the type and per group.
///
///     let report = Scorer.report(set: set, answers: ["q1": "Yes.", "q2": "B"], model: "step-1000")
public enum Scorer {
    /// `answers` maps item ids to the model's text. Items without an answer are counted in
    /// `counts.unanswered` and left out of the metrics.
    public static func report(set: EvalSet, answers: [String: String], model: String? = nil,
                              promptStyle: PromptStyle? = nil) -> EvalReport {
        let answered = set.items.filter { answers[$0.id] != nil }
        func items(_ type: TaskType) -> [EvalItem] { answered.filter { $0.type == type } }
        func texts(_ items: [EvalItem]) -> [String] { items.map { answers[$0.id]! } }

        let counts = EvalReport.Counts(
            items: set.items.count, answered: answered.count, unanswered: set.items.count - answered.count,
            byType: Dictionary(uniqueKeysWithValues: set.countsByType.map { ($0.key.rawValue, $0.value) }),
            skipped: set.skipped.countsByReason)

        return EvalReport(
            model: model, promptStyle: promptStyle, counts: counts,
            yesno: yesNo(items(.yesno), texts),
            choice: grouped(items(.choice)) { items in
                ScienceQA.score(answers: texts(items), answerIndices: items.map { $0.answerIndex! },
                                choiceCounts: items.map { $0.choices!.count })
            },
            short: grouped(items(.short)) { VQAAnswer.score(answers: texts($0), references: $0.map(\.answers)) },
            caption: grouped(items(.caption)) { Captioning.score(answers: texts($0), references: $0.map(\.answers)) },
            ground: grouped(items(.ground)) { Grounding.score(answers: texts($0), references: $0.map { $0.referenceBox! }) })
    }

    static func yesNo(_ items: [EvalItem], _ texts: ([EvalItem]) -> [String]) -> YesNoReport? {
        guard let pope = grouped(items, { POPE.score(answers: texts($0), labels: $0.map(\.expectsYes)) }) else { return nil }
        var subtasks: [String: MME.SubtaskScore] = [:]
        for (name, members) in Dictionary(grouping: items, by: { $0.group ?? "all" }) {
            // acc+ groups the questions of one image; an item without images stands alone.
            let images = members.map { $0.images.isEmpty ? "id:" + $0.id : $0.images.joined(separator: "\n") }
            subtasks[name] = MME.score(answers: texts(members), labels: members.map(\.expectsYes), images: images)
        }
        let totals = MME.totals(subtasks)
        return YesNoReport(pope: pope, mme: MMEReport(subtasks: subtasks, perception: totals.perception, cognition: totals.cognition))
    }

    /// `metrics` over all `items` and over each group's; nil for no items.
    static func grouped<M>(_ items: [EvalItem], _ metrics: ([EvalItem]) -> M) -> Grouped<M>? {
        guard !items.isEmpty else { return nil }
        let byGroup = Dictionary(grouping: items.filter { $0.group != nil }, by: { $0.group! })
        return Grouped(overall: metrics(items), groups: byGroup.mapValues(metrics))
    }
}
