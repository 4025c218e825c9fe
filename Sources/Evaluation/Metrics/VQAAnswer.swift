/// Short-answer normalisation and accuracy as the VQA / TextVQA evaluators do it: the
/// `EvalAIAnswerProcessor` and `TextVQAAccuracyEvaluator` of LLaVA's
/// `llava/eval/m4c_evaluator.py` (copied there from facebookresearch/mmf).
public enum VQAAnswer {
    /// The processed answer: lower-cased; "," and "?" removed and "'s" split off; punctuation
    /// removed or turned into spaces; periods not followed by a digit removed; number words up
    /// to ten turned into digits; articles dropped; contractions without apostrophe fixed.
    ///
    ///     VQAAnswer.normalize("Two dogs.")     // "2 dogs"
    ///     VQAAnswer.normalize("the Cat's hat") // "cat 's hat"
    public static func normalize(_ answer: String) -> String {
        var text = wordTokenize(PythonText.scalars(answer))
        text = PythonText.replace(text, ["\n"], with: [" "])
        text = PythonText.replace(text, ["\t"], with: [" "])
        text = PythonText.strip(text)
        text = processPunctuation(text)
        return processDigitsAndArticles(text)
    }

    /// VQA accuracy of one answer. With ten references (VQAv2, TextVQA) it is the soft score
    /// min(#matching / 3, 1) averaged over the ten leave-one-out subsets of nine; with any other
    /// number it is 1 when the answer matches one of them (`STVQAAccuracyEvaluator`; exact match
    /// after normalisation for one reference). Both sides are normalised first and compared as
    /// Python compares strings, code point by code point.
    public static func accuracy(answer: String, references: [String]) -> Double {
        let predicted = PythonText.scalars(normalize(answer))
        let normalized = references.map { PythonText.scalars(normalize($0)) }
        guard normalized.count == 10 else { return normalized.contains(predicted) ? 1 : 0 }
        let matches = normalized.filter { $0 == predicted }.count
        guard matches > 0 else { return 0 }
        var sum = 0.0
        for left in normalized {
            let others = matches - (left == predicted ? 1 : 0)
            sum += min(1, Double(others) / 3)
        }
        return sum / Double(normalized.count)
    }

    /// Mean accuracy over answers, `references[i]` being those of answer i.
    public static func score(answers: [String], references: [[String]]) -> ShortAnswerMetrics {
        precondition(answers.count == references.count, "\(answers.count) answers for \(references.count) reference lists")
        var total = 0.0
        var exact = 0
        for (answer, refs) in zip(answers, references) {
            let value = accuracy(answer: answer, references: refs)
            total += value
            if value == 1 { exact += 1 }
        }
        return ShortAnswerMetrics(count: answers.count, accuracy: answers.isEmpty ? 0 : total / Double(answers.count),
                                  fullyCorrect: exact)
    }

    // MARK: - The steps of EvalAIAnswerProcessor

    static func wordTokenize(_ word: Scalars) -> Scalars {
        var text = PythonText.lower(word)
        text = PythonText.replace(text, [","], with: [])
        text = PythonText.replace(text, ["?"], with: [])
        text = PythonText.replace(text, ["'", "s"], with: [" ", "'", "s"])
        return PythonText.strip(text)
    }

    static let punctuations: [Unicode.Scalar] = [";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-",
                                                 ">", "<", "@", "`", ",", "?", "!"]

    /// `process_punctuation`: a punctuation mark next to a space anywhere in the input (or any
    /// mark, when the input has a comma between digits) is removed, otherwise it becomes a
    /// space; then periods not followed by a digit are removed. The script passes `re.UNICODE`
    /// where `re.sub` takes its count, so only the first 32 such periods go.
    static func processPunctuation(_ input: Scalars) -> Scalars {
        var out = input
        let commaBetweenDigits = hasCommaBetweenDigits(input)
        for mark in punctuations {
            if PythonText.contains(input, [mark, " "]) || PythonText.contains(input, [" ", mark]) || commaBetweenDigits {
                out = PythonText.replace(out, [mark], with: [])
            } else {
                out = PythonText.replace(out, [mark], with: [" "])
            }
        }
        var stripped: Scalars = []
        stripped.reserveCapacity(out.count)
        var removed = 0
        for (index, scalar) in out.enumerated() {
            let beforeDigit = index + 1 < out.count && PythonText.isDecimalDigit(out[index + 1])
            if scalar == ".", !beforeDigit, removed < 32 {
                removed += 1
            } else {
                stripped.append(scalar)
            }
        }
        return stripped
    }

    /// `COMMA_STRIP` (`(?<=\d)(\,)+(?=\d)`) finds something: a digit, commas, a digit.
    static func hasCommaBetweenDigits(_ text: Scalars) -> Bool {
        var index = 1
        while index < text.count {
            if text[index] == ",", PythonText.isDecimalDigit(text[index - 1]) {
                var end = index
                while end < text.count, text[end] == "," { end += 1 }
                if end < text.count, PythonText.isDecimalDigit(text[end]) { return true }
                index = end
            } else {
                index += 1
            }
        }
        return false
    }

    /// `process_digit_article`.
    static func processDigitsAndArticles(_ input: Scalars) -> String {
        var words: [String] = []
        for piece in PythonText.splitOnWhitespace(PythonText.lower(input)) {
            let word = PythonText.string(piece)
            let mapped = numbers[word] ?? word
            if !articles.contains(mapped) { words.append(mapped) }
        }
        return words.map { contractions[$0] ?? $0 }.joined(separator: " ")
    }

    static let numbers: [String: String] = [
        "none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
        "seven": "7", "eight": "8", "nine": "9", "ten": "10",
    ]

    static let articles: Set<String> = ["a", "an", "the"]

    /// The script's table, entries that cannot match lower-cased text ("Im") included.
    static let contractions: [String: String] = [
        "aint": "ain't", "arent": "aren't", "cant": "can't", "couldve": "could've", "couldnt": "couldn't",
        "couldn'tve": "couldn't've", "couldnt've": "couldn't've", "didnt": "didn't", "doesnt": "doesn't",
        "dont": "don't", "hadnt": "hadn't", "hadnt've": "hadn't've", "hadn'tve": "hadn't've", "hasnt": "hasn't",
        "havent": "haven't", "hed": "he'd", "hed've": "he'd've", "he'dve": "he'd've", "hes": "he's",
        "howd": "how'd", "howll": "how'll", "hows": "how's", "Id've": "I'd've", "I'dve": "I'd've", "Im": "I'm",
        "Ive": "I've", "isnt": "isn't", "itd": "it'd", "itd've": "it'd've", "it'dve": "it'd've", "itll": "it'll",
        "let's": "let's", "maam": "ma'am", "mightnt": "mightn't", "mightnt've": "mightn't've",
        "mightn'tve": "mightn't've", "mightve": "might've", "mustnt": "mustn't", "mustve": "must've",
        "neednt": "needn't", "notve": "not've", "oclock": "o'clock", "oughtnt": "oughtn't", "ow's'at": "'ow's'at",
        "'ows'at": "'ow's'at", "'ow'sat": "'ow's'at", "shant": "shan't", "shed've": "she'd've",
        "she'dve": "she'd've", "she's": "she's", "shouldve": "should've", "shouldnt": "shouldn't",
        "shouldnt've": "shouldn't've", "shouldn'tve": "shouldn't've", "somebody'd": "somebodyd",
        "somebodyd've": "somebody'd've", "somebody'dve": "somebody'd've", "somebodyll": "somebody'll",
        "somebodys": "somebody's", "someoned": "someone'd", "someoned've": "someone'd've",
        "someone'dve": "someone'd've", "someonell": "someone'll", "someones": "someone's",
        "somethingd": "something'd", "somethingd've": "something'd've", "something'dve": "something'd've",
        "somethingll": "something'll", "thats": "that's", "thered": "there'd", "thered've": "there'd've",
        "there'dve": "there'd've", "therere": "there're", "theres": "there's", "theyd": "they'd",
        "theyd've": "they'd've", "they'dve": "they'd've", "theyll": "they'll", "theyre": "they're",
        "theyve": "they've", "twas": "'twas", "wasnt": "wasn't", "wed've": "we'd've", "we'dve": "we'd've",
        "weve": "we've", "werent": "weren't", "whatll": "what'll", "whatre": "what're", "whats": "what's",
        "whatve": "what've", "whens": "when's", "whered": "where'd", "wheres": "where's", "whereve": "where've",
        "whod": "who'd", "whod've": "who'd've", "who'dve": "who'd've", "wholl": "who'll", "whos": "who's",
        "whove": "who've", "whyll": "why'll", "whyre": "why're", "whys": "why's", "wont": "won't",
        "wouldve": "would've", "wouldnt": "wouldn't", "wouldnt've": "wouldn't've", "wouldn'tve": "wouldn't've",
        "yall": "y'all", "yall'll": "y'all'll", "y'allll": "y'all'll", "yall'd've": "y'all'd've",
        "y'alld've": "y'all'd've", "y'all'dve": "y'all'd've", "youd": "you'd", "youd've": "you'd've",
        "you'dve": "you'd've", "youll": "you'll", "youre": "you're", "youve": "you've",
    ]
}

/// Short-answer results.
public struct ShortAnswerMetrics: Codable, Equatable, Sendable {
    public var count: Int
    /// Mean VQA accuracy.
    public var accuracy: Double
    /// Answers with accuracy 1.
    public var fullyCorrect: Int

    enum CodingKeys: String, CodingKey {
        case count, accuracy
        case fullyCorrect = "fully_correct"
    }
}
