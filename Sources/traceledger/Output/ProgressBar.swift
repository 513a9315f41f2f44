import Foundation

/// A one-line progress bar on standard error with rate and ETA; silent unless stderr is a terminal.
///
/// Sendable: it is updated by one task at a time (the loop whose progress it shows).
final class ProgressBar: @unchecked Sendable {
    private var total: Int
    private let unit: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let enabled = Terminal.stderrIsTerminal

    /// A bar for `total` units of work (bytes, events).
    init(total: Int, unit: String) {
        self.total = max(total, 1)
        self.unit = unit
    }

    /// Redraws (at most 10 times a second) with `done` units finished and `rate` items per second.
    func update(done: Int, total newTotal: Int? = nil, items: Int, itemName: String, note: String = "") {
        guard enabled else { return }
        if let newTotal { total = max(newTotal, 1) }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || done >= total else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let rate = Double(items) / elapsed
        let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
        let line = String(
            format: "\r%@ %3.0f%%  %@ %@  %@/s  ETA %@%@\u{1B}[K", bar, fraction * 100, Format.count(items),
            itemName,
            Format.count(Int(rate)), Format.duration(eta), note.isEmpty ? "" : "  " + note)
        Terminal.progress(line)
    }

    /// Clears the bar's line.
    func finish() {
        guard enabled else { return }
        Terminal.progress("\r\u{1B}[K")
    }
}
