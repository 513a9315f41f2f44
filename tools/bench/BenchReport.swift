import Foundation

/// Prints results as Markdown tables (the same tables docs/performance.md holds).
enum BenchReport {
    static let storeOrder = ["TraceLedger", "raw LMDB", "SQLite"]

    static func print(_ results: BenchResults) {
        let machine = results.machine
        let title =
            results.http == nil
            ? "TraceLedger benchmark: \(results.events) events"
            : "TraceLedger over HTTP: a store of \(results.events) events"
        Swift.print(
            """

            ## \(title) (seed \(results.seed))
            machine: \(machine.cores) cores, \(machine.cpu), \(machine.memoryBytes >> 20) MiB RAM; disk: \(machine.disk)
            durability: \(results.durability)

            """)
        if !results.stores.isEmpty { printComparison(results.stores) }
        if let http = results.http {
            printHTTP(http)
        } else {
            printLedger(results.ledger)
        }
        if let scale = results.scale { printScale(scale) }
        if !results.targets.isEmpty {
            Swift.print("\n| target | measured | met |\n|---|---|---|")
            for target in results.targets {
                Swift.print("| \(target.target) | \(target.measured) | \(target.met ? "yes" : "**no**") |")
            }
        }
        if let http = results.http {
            Swift.print(
                "\nconsistency: "
                    + (results.consistent
                        ? "every HTTP append was answered 201 and every subscriber got every event exactly once, in order"
                        : "**\(http.problems.count) problems**: " + http.problems.joined(separator: "; ")))
        } else {
            Swift.print(
                "\nconsistency: "
                    + (results.consistent
                        ? "all stores hold the same events (counts, full scans, sampled traces and histories agree)"
                        : "**the stores DISAGREE**"))
        }
    }

    /// The `--http` table.
    private static func printHTTP(_ http: HTTPFigures) {
        func mib(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }
        func ms(_ microseconds: Double) -> String { String(format: "%.2f", microseconds / 1000) }
        let rows: [(String, String)] = [
            (
                "\(http.httpClients) HTTP clients, `POST /v1/events`, 1 event per request, keep-alive (events/s)",
                format(http.httpEventsPerSecond)
            ),
            (
                "  HTTP latency p50 / p99 (ms)",
                "\(ms(http.httpP50Microseconds)) / \(ms(http.httpP99Microseconds))"
            ),
            ("  connections open to the server after them", "\(http.httpConnections)"),
            (
                "\(http.inProcessAppenders) in-process appenders, `ledger.append(event)` (events/s)",
                format(http.inProcessEventsPerSecond)
            ),
            (
                "  in-process latency p50 / p99 (ms)",
                "\(ms(http.inProcessP50Microseconds)) / \(ms(http.inProcessP99Microseconds))"
            ),
            ("HTTP ÷ in-process (events/s)", String(format: "%.2f×", http.httpOverInProcessRatio)),
            (
                "live tail: \(http.liveSubscribers) subscribers, \(http.liveEvents) events appended at "
                    + "\(format(http.livePacedEventsPerSecond))/s (achieved \(format(http.liveAppendedEventsPerSecond))/s)",
                "\(http.deliveries) deliveries"
            ),
            (
                "  delivery delay p50 / p99 / max (ms, subscriber has it − append returned)",
                String(
                    format: "%.2f / %.2f / %.2f", http.deliveryP50Milliseconds, http.deliveryP99Milliseconds,
                    http.deliveryMaxMilliseconds)
            ),
            (
                "  deliveries before the append returned (counted as 0)",
                "\(http.deliveriesBeforeAppendReturned)"
            ),
            (
                "  subscribers with every event exactly once, in order",
                "\(http.subscribersComplete) of \(http.liveSubscribers)"
            ),
            (
                "RssAnon after the store load, before the inputs were built (MiB)",
                mib(http.anonymousBeforeInputsBytes)
            ),
            (
                "RssAnon before the loads (MiB; server listening, inputs in memory)",
                mib(http.anonymousBeforeBytes)
            ),
            ("RssAnon after the appends (MiB)", mib(http.anonymousAfterAppendsBytes)),
            (
                "RssAnon after the live load, \(http.liveSubscribers) subscribers open (MiB)",
                mib(http.anonymousWithSubscribersBytes)
            ),
            ("RssAnon peak, sampled every 20 ms (MiB)", mib(http.anonymousPeakBytes)),
        ]
        Swift.print("| over HTTP (server in this process, loopback) | value |\n|---|---:|")
        for (label, value) in rows { Swift.print("| \(label) | \(value) |") }
    }

    /// Rows of (measure, key path, higher is better).
    private static var rows: [(String, KeyPath<StoreFigures, Double?>, Bool)] {
        [
            ("durable append, batch 1000 (events/s)", \.appendBatch1000EventsPerSecond, true),
            ("durable append, batch 10000 (events/s)", \.appendBatch10000EventsPerSecond, true),
            ("durable append, batch 1 (events/s)", \.appendBatch1EventsPerSecond, true),
            ("  batch 1 commit latency p50 (µs)", \.commitLatencyP50Microseconds, false),
            ("  batch 1 commit latency p99 (µs)", \.commitLatencyP99Microseconds, false),
            ("trace lookup p50 (µs, whole trace decoded)", \.traceLookupP50Microseconds, false),
            ("trace lookup p99 (µs)", \.traceLookupP99Microseconds, false),
            ("entity history lookup p50 (µs)", \.historyLookupP50Microseconds, false),
            ("entity history lookup p99 (µs)", \.historyLookupP99Microseconds, false),
            ("full scan, decoded (events/s)", \.scanEventsPerSecond, true),
            ("bytes on disk per event (all indexes)", \.bytesPerEvent, false),
        ]
    }

    private static func printComparison(_ stores: [String: StoreFigures]) {
        Swift.print("| measure | TraceLedger | raw LMDB (limit) | SQLite (peer) | TL ÷ raw | TL ÷ SQLite |")
        Swift.print("|---|---:|---:|---:|---:|---:|")
        for (label, path, _) in rows {
            let values = storeOrder.map { stores[$0]?[keyPath: path] }
            if values.allSatisfy({ $0 == nil }) { continue }
            let ledger = values[0]
            func ratio(_ other: Double?) -> String {
                guard let ledger, let other, other > 0 else { return "–" }
                return String(format: "%.2f×", ledger / other)
            }
            Swift.print(
                "| \(label) | \(values.map(format).joined(separator: " | ")) | \(ratio(values[1])) | \(ratio(values[2])) |"
            )
        }
        Swift.print(
            "\nRatios are TraceLedger ÷ the other store: above 1 is better for rates, below 1 for µs and bytes."
        )
    }

    private static func printLedger(_ ledger: LedgerFigures) {
        Swift.print("\n| TraceLedger only | value |\n|---|---:|")
        let rows: [(String, String)] = [
            ("decode + validate NDJSON, one core (events/s)", format(ledger.decodeEventsPerSecond)),
            (
                "import from NDJSON, `BulkImporter`, batch 1000 (events/s)",
                format(ledger.importEventsPerSecond)
            ),
            (
                "import peak RSS (MiB, includes the store's mapped pages)",
                format(ledger.importPeakRSSBytes.map { Double($0) / 1_048_576 })
            ),
            (
                "import peak anonymous memory (MiB, heap and stacks)",
                format(ledger.importPeakAnonymousBytes.map { Double($0) / 1_048_576 })
            ),
            (
                "replay to a file sink, `Replayer` + `FileSink`, default options (events/s)",
                format(ledger.replayToFileEventsPerSecond)
            ),
            (
                "replay of 3,000 events to HTTP, 1 in 5 first attempts 503, over a clean one (×)",
                format(ledger.replayWithRetriesRatio)
            ),
            (
                "  floor: scan + envelope NDJSON to a file + fsync (events/s)",
                format(ledger.scanToFileEventsPerSecond)
            ),
            (
                "projection rebuild, all projections (events/s)",
                format(ledger.projectionRebuildEventsPerSecond)
            ),
            ("verify, the hash chain (events/s)", format(ledger.verifyEventsPerSecond)),
            (
                "verify with every index, as `traceledger verify` (events/s)",
                format(ledger.verifyWithIndexesEventsPerSecond)
            ),
            (
                "inclusion proof, random position (p50 / p99 µs)",
                "\(format(ledger.inclusionProofP50Microseconds)) / \(format(ledger.inclusionProofP99Microseconds))"
            ),
            (
                "Merkle root at a random past size (p50 / p99 µs)",
                "\(format(ledger.pastRootP50Microseconds)) / \(format(ledger.pastRootP99Microseconds))"
            ),
            ("Merkle tree (bytes per event)", format(ledger.merkleBytesPerEvent)),
            (
                "console trace page, 50-event trace, over loopback (p50 / p99 ms)",
                "\(format(ledger.consoleTracePageP50Milliseconds)) / \(format(ledger.consoleTracePageP99Milliseconds))"
            ),
            ("replica apply from a JetStream stream (events/s)", format(ledger.replicaApplyEventsPerSecond)),
            (
                "publish to JetStream until acknowledged, p99 (ms)",
                format(ledger.replicaPublishAckP99Milliseconds)
            ),
            (
                "replica lag, primary commit to replica commit at 2,000 events/s (p50 / p99 ms)",
                "\(format(ledger.replicaLagP50Milliseconds)) / \(format(ledger.replicaLagP99Milliseconds))"
            ),
            (
                "8 concurrent appenders, 1 event per call (events/s)",
                format(ledger.concurrent8EventsPerSecond)
            ),
            ("  8 appenders: p99 latency (µs)", format(ledger.concurrent8P99Microseconds)),
            (
                "64 concurrent appenders, 1 event per call (events/s)",
                format(ledger.concurrent64EventsPerSecond)
            ),
            ("  64 appenders: p99 latency (µs)", format(ledger.concurrent64P99Microseconds)),
        ]
        for (label, value) in rows { Swift.print("| \(label) | \(value) |") }
        if let line = rebuildOverlapLine(ledger) { Swift.print("\n" + line) }
    }

    /// "append p99 during a projection rebuild: X µs vs Y µs alone (Z×)", with the sample behind it.
    static func rebuildOverlapLine(_ ledger: LedgerFigures) -> String? {
        guard let during = ledger.appendDuringRebuildP99Microseconds,
            let alone = ledger.appendAloneP99Microseconds, let ratio = ledger.appendDuringRebuildP99Ratio
        else { return nil }
        let events = ledger.rebuildWithAppendsEvents.map { format(Double($0)) } ?? "–"
        let seconds = ledger.rebuildWithAppendsSeconds.map { String(format: "%.2f", $0) } ?? "–"
        return "append p99 during a projection rebuild: \(format(during)) µs vs \(format(alone)) µs alone "
            + String(format: "(%.2f×)", ratio)
            + "; \(ledger.rebuildOverlapAppenders ?? 0) appenders, "
            + "\(format(ledger.appendsOverlappingRebuild.map(Double.init))) appends overlapped the rebuild "
            + "(\(events) events folded in \(seconds) s)"
    }

    private static func printScale(_ points: [ScalePoint]) {
        guard let first = points.first, let last = points.last, points.count > 1 else { return }
        Swift.print("\n### Scaling: \(first.events) → \(last.events) events\n")
        Swift.print(
            "| measure | store | \(points.map { "\($0.events)" }.joined(separator: " | ")) | change |")
        Swift.print("|---|---|\(points.map { _ in "---:|" }.joined())---:|")
        for (label, path, _) in rows {
            for store in storeOrder {
                let values = points.map { $0.stores[store]?[keyPath: path] }
                guard let a = values.first ?? nil, let b = values.last ?? nil else { continue }
                Swift.print(
                    "| \(label) | \(store) | \(values.map(format).joined(separator: " | ")) | "
                        + "\(a > 0 ? String(format: "%.2f×", b / a) : "–") |")
            }
        }
        let rates = points.map { format($0.importEventsPerSecond) }
        let peaks = points.map { format($0.importPeakRSSBytes.map { Double($0) / 1_048_576 }) }
        let anonymous = points.map { format($0.importPeakAnonymousBytes.map { Double($0) / 1_048_576 }) }
        Swift.print("| import (events/s) | TraceLedger | \(rates.joined(separator: " | ")) | |")
        let growth =
            (first.importPeakRSSBytes ?? 0) > 0
            ? String(
                format: "%.2f×", Double(last.importPeakRSSBytes ?? 0) / Double(first.importPeakRSSBytes ?? 1))
            : "–"
        Swift.print(
            "| import peak RSS (MiB, with mapped store pages) | TraceLedger | \(peaks.joined(separator: " | ")) | \(growth) |"
        )
        let anonymousGrowth =
            (first.importPeakAnonymousBytes ?? 0) > 0
            ? String(
                format: "%.2f×",
                Double(last.importPeakAnonymousBytes ?? 0) / Double(first.importPeakAnonymousBytes ?? 1))
            : "–"
        Swift.print(
            "| import peak anonymous memory (MiB) | TraceLedger | \(anonymous.joined(separator: " | ")) | \(anonymousGrowth) |"
        )
    }

    static func format(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value >= 1000 { return String(format: "%.0f", value).withThousandsSeparators }
        if value >= 100 { return String(format: "%.0f", value) }
        return String(format: "%.1f", value)
    }
}

extension String {
    /// "1234567" → "1,234,567".
    fileprivate var withThousandsSeparators: String {
        var out = ""
        for (index, character) in reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }
}
