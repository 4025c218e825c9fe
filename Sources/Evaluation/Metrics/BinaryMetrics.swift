/// The confusion matrix of yes/no answers (yes is the positive class) and what POPE reports
/// from it.
public struct BinaryMetrics: Codable, Equatable, Sendable {
    public var count: Int
    public var truePositives: Int
    public var falsePositives: Int
    public var trueNegatives: Int
    public var falseNegatives: Int
    public var accuracy: Double
    /// TP / (TP + FP); 0 when nothing was predicted yes (where `eval_pope.py` would divide by
    /// zero; sklearn's convention).
    public var precision: Double
    /// TP / (TP + FN); 0 when no label is yes.
    public var recall: Double
    /// 2PR / (P + R); 0 when P + R is 0.
    public var f1: Double
    /// The fraction of answers that are yes.
    public var yesRatio: Double

    enum CodingKeys: String, CodingKey {
        case count, accuracy, precision, recall, f1
        case truePositives = "tp", falsePositives = "fp", trueNegatives = "tn", falseNegatives = "fn"
        case yesRatio = "yes_ratio"
    }

    /// The metrics of `predictions` against `labels` (true = yes), computed in the order and
    /// with the arithmetic of LLaVA's `eval_pope.py`.
    public init(predictions: [Bool], labels: [Bool]) {
        precondition(predictions.count == labels.count, "\(predictions.count) predictions for \(labels.count) labels")
        var tp = 0, fp = 0, tn = 0, fn = 0
        for (predicted, label) in zip(predictions, labels) {
            switch (predicted, label) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, false): tn += 1
            case (false, true): fn += 1
            }
        }
        count = predictions.count
        truePositives = tp
        falsePositives = fp
        trueNegatives = tn
        falseNegatives = fn
        precision = tp + fp > 0 ? Double(tp) / Double(tp + fp) : 0
        recall = tp + fn > 0 ? Double(tp) / Double(tp + fn) : 0
        f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        accuracy = count > 0 ? Double(tp + tn) / Double(count) : 0
        yesRatio = count > 0 ? Double(tp + fp) / Double(count) : 0
    }
}
