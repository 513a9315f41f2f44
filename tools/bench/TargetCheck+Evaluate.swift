import Foundation

extension TargetCheck {
    /// The targets of issue 5, checked against a full run's figures (a `--scale` run checks none).
    static func evaluate(_ results: BenchResults) -> [TargetCheck] {
        if let http = results.http { return evaluate(http) }
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
        if let p50 = results.ledger.consoleTracePageP50Milliseconds {
            checks.append(
                .init(
                    target: "console trace page of a 50-event trace < 100 ms (p50, over loopback)",
                    measured: String(format: "%.1f ms", p50), met: p50 < 100))
        }
        if let ratio = results.ledger.replayWithRetriesRatio {
            checks.append(
                .init(
                    target: "replay with 1 in 5 first attempts 503 ≤ 2× a clean one",
                    measured: String(format: "%.2f×", ratio), met: ratio <= 2))
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

    /// The targets of the HTTP issue, checked against a `--http` run (reported, never failing the run).
    static func evaluate(_ http: HTTPFigures) -> [TargetCheck] {
        let rssMiB = Double(http.anonymousPeakBytes) / 1_048_576
        return [
            .init(
                target: "≥ 10,000 events/s over HTTP (\(http.httpClients) clients, 1 event per request)",
                measured: BenchReport.format(http.httpEventsPerSecond) + " events/s",
                met: http.httpEventsPerSecond >= 10_000),
            .init(
                target: "HTTP append p99 ≤ 25 ms",
                measured: String(format: "%.2f ms", http.httpP99Microseconds / 1000),
                met: http.httpP99Microseconds <= 25_000),
            .init(
                target: "≥ 20,000 events/s for \(http.inProcessAppenders) in-process appenders",
                measured: BenchReport.format(http.inProcessEventsPerSecond) + " events/s",
                met: http.inProcessEventsPerSecond >= 20_000),
            .init(
                target: "live tail delivery p99 ≤ 50 ms (\(http.liveSubscribers) subscribers)",
                measured: String(format: "%.2f ms", http.deliveryP99Milliseconds),
                met: http.deliveries > 0 && http.deliveryP99Milliseconds <= 50),
            .init(
                target:
                    "RssAnon ≤ 256 MiB (peak through the loads, \(http.liveSubscribers) subscribers open)",
                measured: String(format: "%.1f MiB", rssMiB),
                met: http.anonymousPeakBytes > 0 && rssMiB <= 256),
        ]
    }
}
