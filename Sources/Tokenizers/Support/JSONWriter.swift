/// Writes compact JSON text deterministically (keys in the order given), for the files vlmtune
/// produces (the trained tokenizer.json). Non-ASCII text is written as UTF-8, as HF does.
struct JSONWriter {
    private(set) var text = ""

    mutating func raw(_ fragment: String) { text += fragment }

    mutating func string(_ value: String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    /// `{"key":value,...}` where each value is written by its closure.
    mutating func object(_ members: [(String, (inout JSONWriter) -> Void)]) {
        text += "{"
        for (index, (key, write)) in members.enumerated() {
            if index > 0 { text += "," }
            string(key)
            text += ":"
            write(&self)
        }
        text += "}"
    }

    mutating func array<T>(_ items: [T], _ write: (inout JSONWriter, T) -> Void) {
        text += "["
        for (index, item) in items.enumerated() {
            if index > 0 { text += "," }
            write(&self, item)
        }
        text += "]"
    }
}
