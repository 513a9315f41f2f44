import Foundation
import TraceLedger

/// A plain text table with aligned columns; the last column is left unpadded.
struct TextTable {
    let headers: [String]
    private(set) var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    /// Adds a row; control and bidirectional characters in a cell are shown escaped (`\u{1B}`), never sent
    /// to the terminal.
    mutating func add(_ cells: String...) { rows.append(cells.map { DisplaySafety.escaped($0) }) }

    mutating func add(row cells: [String]) { rows.append(cells.map { DisplaySafety.escaped($0) }) }

    func rendered() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1
                    ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}
