import Foundation

extension TargetCheck {
    /// The targets of issue 5, checked against a full run's figures (a `--scale` run checks none).
    static func evaluate(_ results: BenchResults) -> [TargetCheck] {
        guard let ledger = results.stores["TraceLedger"], let raw = results.stores["raw LMDB"],
            let sqlite = results.stores["SQLite"]
        else { return [] }
        var checks: [TargetCheck] = []
        func ratio(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b, b > 0 else { return nil }
            return a / b
        }
        if let r = ratio(ledger.appendBatch1000EventsPerSecond, raw.appendBatch1000EventsPerSecond) {
            checks.append(
                .init(
                    target: "append batch 1000 ≥ 0.7× raw LMDB", measured: String(format: "%.2f×", r),
                    met: r >= 0.7))
        }
        if let r = ratio(ledger.appendBatch1000EventsPerSecond, sqlite.appendBatch1000EventsPerSecond) {
            checks.append(
                .init(
                    target: "append batch 1000 ≥ 2× SQLite", measured: String(format: "%.2f×", r), met: r >= 2
                ))
        }
        if let p99 = ledger.traceLookupP99Microseconds {
            checks.append(
                .init(
                    target: "trace lookup p99 ≤ 100 µs", measured: String(format: "%.1f µs", p99),
                    met: p99 <= 100))
        }
        if let rate = results.ledger.replayToFileEventsPerSecond {
            checks.append(
                .init(
                    target: "replay to a file ≥ 200,000 events/s",
                    measured: BenchReport.format(rate) + " events/s",
                    met: rate >= 200_000))
        }
        if let rate = results.ledger.projectionRebuildEventsPerSecond {
            checks.append(
                .init(
                    target: "projection rebuild ≥ 200,000 events/s",
                    measured: BenchReport.format(rate) + " events/s",
                    met: rate >= 200_000))
        }
        if let r = results.ledger.appendDuringRebuildP99Ratio,
            let during = results.ledger.appendDuringRebuildP99Microseconds,
            let alone = results.ledger.appendAloneP99Microseconds
        {
            checks.append(
                .init(
                    target: "append p99 during a projection rebuild within 2× alone",
                    measured: String(format: "%.2f× (", r) + BenchReport.format(during) + " µs vs "
                        + BenchReport.format(alone) + " µs)",
                    met: r <= 2))
        }
        if let bytes = ledger.bytesPerEvent {
            checks.append(
                .init(
                    target: "≤ 200 bytes on disk per event", measured: String(format: "%.0f B", bytes),
                    met: bytes <= 200))
        }
        return checks
    }
}
