import Foundation
import TraceLedger

/// Where output goes: results to stdout, progress and errors to stderr.
enum Terminal {
    /// Prints a line to standard error, control and bidirectional characters escaped (messages quote input).
    static func error(_ text: String) {
        FileHandle.standardError.write(
            Data((DisplaySafety.escaped(text, keepingLineBreaks: true) + "\n").utf8))
    }

    /// True when standard error is a terminal (progress bars only then).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Writes text to standard error without a newline (for progress lines).
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Human formatting of numbers.
enum Format {
    /// 1234567 → "1,234,567".
    static func count<T: BinaryInteger>(_ value: T) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// A byte count as B, KiB, MiB or GiB.
    static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", amount, units[unit])
    }

    /// Seconds as "1.2 s", "3 min 05 s".
    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }
}
