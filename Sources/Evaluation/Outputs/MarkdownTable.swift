import Foundation

/// A GitHub-flavoured markdown table with padded columns, so the file also reads well as text.
struct MarkdownTable {
    var header: [String]
    var rows: [[String]] = []
    /// Columns (by index) aligned right: the numbers.
    var rightAligned: Set<Int> = []

    init(_ header: [String], rightAligned: Set<Int>? = nil) {
        self.header = header
        self.rightAligned = rightAligned ?? Set(1..<max(1, header.count))
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    var text: String {
        let cells = ([header] + rows).map { row in
            (0..<header.count).map { index in
                (index < row.count ? row[index] : "").replacingPipes()
            }
        }
        let widths = (0..<header.count).map { column in max(3, cells.map { $0[column].count }.max() ?? 0) }
        func line(_ row: [String]) -> String {
            let padded = row.enumerated().map { index, cell in
                let fill = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? fill + cell : cell + fill
            }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        let rule = widths.enumerated().map { index, width in
            rightAligned.contains(index) ? String(repeating: "-", count: width - 1) + ":" : String(repeating: "-", count: width)
        }
        return ([line(cells[0]), "| " + rule.joined(separator: " | ") + " |"] + cells.dropFirst().map(line))
            .joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        var out = ""
        for character in self {
            switch character {
            case "|": out += "\\|"
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}

/// How numbers appear in markdown: rates and CIDEr with four decimals, larger values (MME
/// points) with two.
func formatMetric(_ value: Double) -> String {
    String(format: "%.*f", abs(value) >= 10 ? 2 : 4, value)
}
