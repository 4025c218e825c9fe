/// The tokenisation captions get before BLEU and CIDEr-D.
///
/// pycocoevalcap runs Stanford CoreNLP's PTBTokenizer (Java) with `-lowerCase` and then drops
/// the tokens in its punctuation list (`'' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ;`).
/// vlmtune has no Java, so this is a close approximation written down exactly (the fixture
/// script implements the same rules, so reference scores are computed on identical tokens):
///
/// 1. lower-case, split on whitespace;
/// 2. strip the characters PTB splits off as the dropped tokens above — `. , ? ! : ; ' " ` -`
///    and brackets `( ) [ ] { }` — from both ends of each piece (inner ones stay, as PTB keeps
///    "black-and-white", "3.5" and "u.s.");
/// 3. split a clitic off the end as PTB does: "n't", "'s", "'re", "'ve", "'ll", "'d", "'m"
///    ("don't" -> "do n't", "dog's" -> "dog 's");
/// 4. drop pieces left empty.
///
/// Known differences from PTB: it also splits off symbols such as "$", "%" and "&" as tokens
/// of their own, and sentence-internal periods of abbreviations follow its own rules.
public enum CaptionTokenizer {
    public static func tokenize(_ caption: String) -> [String] {
        var tokens: [String] = []
        for piece in PythonText.splitOnWhitespace(PythonText.lower(PythonText.scalars(caption))) {
            let word = PythonText.strip(piece, where: isDroppedPunctuation)
            guard !word.isEmpty else { continue }
            if let clitic = clitics.first(where: { word.count > $0.count && word.suffix($0.count).elementsEqual($0) }) {
                tokens.append(PythonText.string(word.dropLast(clitic.count)))
                tokens.append(PythonText.string(clitic))
            } else {
                tokens.append(PythonText.string(word))
            }
        }
        return tokens
    }

    static let droppedPunctuation: Set<Unicode.Scalar> = [".", ",", "?", "!", ":", ";", "'", "\"", "`", "-",
                                                          "(", ")", "[", "]", "{", "}"]

    static func isDroppedPunctuation(_ scalar: Unicode.Scalar) -> Bool { droppedPunctuation.contains(scalar) }

    static let clitics: [Scalars] = ["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"].map(PythonText.scalars)
}
