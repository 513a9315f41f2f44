import ArgumentParser
import Foundation
import Logging
import TraceLedger
import TraceLedgerWorkload

/// `ledger-bench reads --store PATH`: the read-side measures of the full run (full scan, chain verify, the
/// whole `traceledger verify`, projection rebuild, and 8 appenders alone then during a rebuild) on an existing
/// store, each `--repeat` times, without building the three stores first. For profiling one path:
/// `perf record -g ledger-bench reads --only scan`.
struct ReadPhases: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reads",
        abstract: "Scan, verify and rebuild rates on an existing store (for profiling one read path).")

    enum Phase: String, CaseIterable, ExpressibleByArgument {
        case scan, verify
        case verifyAll = "verify-all"
        case rebuild
        /// Appends the store has not seen (`rebuildAppends` events per run), so it grows by that much per run.
        case rebuildAppends = "rebuild-appends"
        /// Appends `--append-events` new events at batch 1000, as the full run's bulk load does, for profiling the
        /// writer (`perf record -g`, then `perf report --tid` of the busiest thread); the store grows by that much.
        case append
        /// Trace and stream lookups, in this store and, with `--raw-store`, in the raw LMDB floor
        /// (`LookupPhase`).
        case lookups
    }

    /// Appends per run of `rebuild-appends`: 8 appenders of 2,000 events alone, then as many during a rebuild.
    static let rebuildAppends = 2 * 8 * 2_000

    @Option(help: "The store to read; `rebuild` writes its projections, and opening it upgrades its indexes.")
    var store: String
    @Option(
        help:
            "Run only this phase: scan, verify, verify-all, rebuild, rebuild-appends, append (both append) or lookups."
    )
    var only: Phase?
    @Option(help: "How many times to run each phase.") var `repeat` = 1
    @Option(help: "Events per run of `append` (new to the store, in batches of 1,000).")
    var appendEvents = 200_000
    @Option(help: "For `lookups`: a raw LMDB store of the same events, loaded from --workload if it is new.")
    var rawStore: String?
    @Option(help: "For `lookups` with a new --raw-store: the NDJSON file the store was imported from.")
    var workload: String?

    func run() async throws {
        var logger = Logger(label: "ledger-bench")
        logger.logLevel = .warning
        let ledger = try Ledger.open(at: store, logger: logger)
        let events = Double(try ledger.head().position)
        var lookups: (stores: [any BenchStore], samples: LookupSamples)?
        for phase in only.map({ [$0] }) ?? Phase.allCases {
            for _ in 0..<self.repeat {
                let rate: Double
                switch phase {
                case .scan:
                    let started = monotonicNanoseconds()
                    var count = 0
                    try ledger.forEachEvent(matching: EventQuery()) { _ in
                        count += 1
                        return true
                    }
                    rate = Double(count) / (Double(monotonicNanoseconds() - started) / 1e9)
                case .verify: rate = try LedgerPhases.verify(ledger)
                case .verifyAll: rate = try LedgerPhases.verifyWithIndexes(ledger)
                case .rebuild: rate = try await LedgerPhases.rebuildProjections(ledger)
                case .rebuildAppends:
                    try await appendsBesideRebuild(ledger)
                    continue
                case .append:
                    try await appendInBatches(ledger)
                    continue
                case .lookups:
                    if lookups == nil {
                        lookups = (
                            try await LookupPhase.stores(
                                ledger: ledger, rawPath: rawStore, workload: workload),
                            try LookupPhase.sample(ledger)
                        )
                    }
                    try LookupPhase.measure(lookups!.stores, samples: lookups!.samples)
                    continue
                }
                print("\(phase.rawValue): \(Int(rate)) events/s (\(String(format: "%.2f", events / rate)) s)")
            }
        }
    }

    /// Appends new workload events at batch 1000, one batch after the other, and prints the rate inside
    /// `append` (decoding is not timed) and the CPU time of the thread that spent the most during the appends,
    /// the writer's, per event: less noisy than the rate on a shared machine, for an A/B of its code.
    private func appendInBatches(_ ledger: Ledger) async throws {
        let head = try ledger.head().position
        let lines = WorkloadGenerator.lines(seed: 9_000_000 + head, count: appendEvents)
        let decoder = EventDecoder()
        let events = try lines.map { try decoder.decode($0) }
        var seconds = 0.0
        let before = ThreadTimes.read()
        for start in stride(from: 0, to: events.count, by: 1_000) {
            let batch = Array(events[start..<min(events.count, start + 1_000)])
            let started = monotonicNanoseconds()
            _ = try await ledger.append(batch)
            seconds += Double(monotonicNanoseconds() - started) / 1e9
        }
        let busiest = ThreadTimes.read().map { $0.value - (before[$0.key] ?? 0) }.max() ?? 0
        print(
            "append: \(Int(Double(events.count) / seconds)) events/s (\(String(format: "%.2f", seconds)) s), "
                + "busiest thread \(String(format: "%.2f", busiest * 1e6 / Double(events.count))) µs CPU/event"
        )
    }

    /// 8 appenders alone, then during a rebuild, as the full run measures them, on new workload events.
    private func appendsBesideRebuild(_ ledger: Ledger) async throws {
        let head = try ledger.head().position
        // A seed the store's events did not come from: the ids are new, so every append is one.
        let lines = WorkloadGenerator.lines(seed: 7_000_000 + head, count: Self.rebuildAppends)
        let decoder = EventDecoder()
        let events = try lines.map { try decoder.decode($0) }
        let half = events.count / 2
        let alone = try await LedgerPhases.concurrentAppends(
            Array(events[..<half]), appenders: 8, into: ledger)
        let during = try await LedgerPhases.appendsDuringRebuild(
            Array(events[half...]), appenders: 8, into: ledger)
        let ratio = during.latencies.p99 / alone.latencies.p99
        print(
            "rebuild-appends: alone p50 \(Int(alone.latencies.p50)) / p99 \(Int(alone.latencies.p99)) µs, during "
                + "p50 \(Int(during.latencies.p50)) / p99 \(Int(during.latencies.p99)) µs (\(String(format: "%.2f", ratio))×); "
                + "\(during.latencies.count) appends overlapped, rebuild \(String(format: "%.2f", during.rebuildSeconds)) s"
        )
    }
}
