/// POPE scoring as LLaVA's `llava/eval/eval_pope.py` does it.
public enum POPE {
    /// Whether an answer says yes, by `eval_pope.py`'s rule: keep the text before the first
    /// ".", remove commas, split on single spaces; the answer is no when one of the words is
    /// exactly "No", "not" or "no", and yes otherwise (so "Nope", "NO" and "" count as yes).
    ///
    ///     POPE.saysYes("No, there is not.")   // false
    ///     POPE.saysYes("Yes, there is.")      // true
    public static func saysYes(_ answer: String) -> Bool {
        var text = PythonText.scalars(answer)
        if let period = PythonText.find(text, ["."]) { text = Array(text[..<period]) }
        text = PythonText.replace(text, [","], with: [])
        let words = PythonText.split(text, on: [" "])
        let negations: [Scalars] = [["N", "o"], ["n", "o", "t"], ["n", "o"]]
        return !words.contains(where: { negations.contains($0) })
    }

    /// The metrics of raw answers against labels (true = yes).
    public static func score(answers: [String], labels: [Bool]) -> BinaryMetrics {
        BinaryMetrics(predictions: answers.map(saysYes), labels: labels)
    }
}
