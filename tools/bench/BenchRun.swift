import ArgumentParser
import Foundation
import TraceLedger

/// The benchmark run (the default subcommand): loads the same events into the three stores and measures.
struct BenchRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the benchmark (the default).")

    @Option(help: "How many events to load (default 1,000,000; 50,000 with --http).") var events: Int?
    @Option(help: "Write the results as JSON to this file.") var out: String?
    @Flag(help: "10,000 events and fewer single appends: a check that takes seconds.") var quick = false
    @Flag(help: "Append and lookups at N and 4×N events (1M and 4M by default), and how they change.")
    var scale = false
    @Flag(
        help: ArgumentHelp(
            "Only the HTTP measurements, with the server in this process on a loopback port, over a store of "
                + "50,000 events (or --events).",
            discussion: """
                64 clients (keep-alive, 64 connections) each POST 300 single events to /v1/events, against 64 \
                in-process appenders of 300 events each on the same ledger; then 100 live subscribers \
                (GET /v1/events/live) while 2,000 events are appended at 500/s, with the delay from each \
                append's return to each subscriber; and the process's RssAnon before, after and with the \
                subscribers open. Not part of --quick.
                """))
    var http = false
    @Flag(help: "Only the replica figures (a nats-server is started): apply rate and lag at 2,000 events/s.")
    var replicas = false
    @Option(help: "The workload seed.") var seed: UInt64 = 42
    @Option(help: "Where the stores go (default: a new directory under the temporary directory).")
    var directory: String?
    @Flag(help: "Keep the stores and workload files afterwards.") var keep = false

    func validate() throws {
        guard (events ?? 1000) >= 1000 else { throw ValidationError("--events must be at least 1000") }
        guard !http || (!quick && !scale) else {
            throw ValidationError("--http is a run of its own: not with --quick or --scale")
        }
    }

    /// Sizes of the secondary measures, smaller with --quick.
    private var singleAppendCount: Int { quick ? 300 : 20_000 }
    private var lookupSamples: Int { quick ? 200 : 2_000 }
    private var perAppender8: Int { quick ? 40 : 500 }
    private var perAppender64: Int { quick ? 8 : 100 }
    /// Appends per appender beside the projection rebuild, and as many again alone before it.
    private var perAppenderBesideRebuild: Int { quick ? 100 : 2_000 }

    func run() async throws {
        let count = quick ? 10_000 : events ?? (http ? 50_000 : 1_000_000)
        let root =
            directory ?? NSTemporaryDirectory() + "ledger-bench-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer {
            if !keep {
                do { try FileManager.default.removeItem(atPath: root) } catch {
                    log("could not remove \(root): \(error)")
                }
            }
        }
        var results = BenchResults(events: count, seed: seed, machine: .current(directory: root))
        if replicas {
            let figures = try await ReplicaPhase.measure(
                root: root, seed: seed, applyEvents: quick ? 2_000 : 20_000, steadySeconds: quick ? 1 : 10)
            print(
                String(
                    format:
                        "replica apply: %.0f events/s; lag at %d events/s: p50 %.1f ms, p99 %.1f ms (%d events); "
                        + "publish ack: p50 %.2f ms, p99 %.2f ms",
                    figures.applyEventsPerSecond, ReplicaPhase.steadyRate, figures.lag.p50 / 1000,
                    figures.lag.p99 / 1000, figures.lag.count, figures.publishAck.p50 / 1000,
                    figures.publishAck.p99 / 1000))
            return
        }
        if http {
            try await httpRun(events: count, root: root, results: &results)
        } else if scale {
            var points: [ScalePoint] = []
            for size in [count, count * 4] { points.append(try await scalePoint(events: size, root: root)) }
            results.scale = points
            results.consistent = true
        } else {
            try await fullRun(events: count, root: root, results: &results)
        }
        results.targets = TargetCheck.evaluate(results)
        BenchReport.print(results)
        if let out {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: URL(fileURLWithPath: out))
        }
        guard results.consistent else { throw ExitCode(1) }
    }

    private func fullRun(events count: Int, root: String, results: inout BenchResults) async throws {
        let extra =
            singleAppendCount + 8 * perAppender8 + 64 * perAppender64 + 2 * 8 * perAppenderBesideRebuild
            + ConsolePhase.traceEvents
        log("generating \(count) + \(extra) events (seed \(seed))")
        let files = try WorkloadFiles.write(seed: seed, events: count, extraEvents: extra, in: root)
        let stores: [any BenchStore] = try makeStores(in: root + "/batch1000")
        let wide: [any BenchStore] = try makeStores(in: root + "/batch10000")
        log("durable append of \(count) events: batch 1000 and batch 10000, into each store")
        let load = try await StorePhases.bulkLoad(
            file: files.main, stores: stores.map { ($0, 1000) } + wide.map { ($0, 10_000) },
            sampleCount: lookupSamples, expectedEvents: count, seed: seed, progress: progress(of: count))
        results.ledger.decodeEventsPerSecond = load.decodeEventsPerSecond
        for (index, store) in stores.enumerated() {
            results.stores[store.name, default: StoreFigures()].appendBatch1000EventsPerSecond =
                Double(count) / load.seconds[index]
            results.stores[store.name]!.appendBatch10000EventsPerSecond =
                Double(count) / load.seconds[stores.count + index]
            results.stores[store.name]!.bytesPerEvent = Double(try store.bytesOnDisk()) / Double(count)
        }
        for store in wide { try FileManager.default.removeItem(atPath: store.path) }

        let extraReader = try EventBatchReader(path: files.extra)
        let singles = try extraReader.next(singleAppendCount)
        for store in stores {
            log("durable append, batch 1: \(singles.count) events into \(store.name)")
            let (rate, latencies) = try await StorePhases.singleAppends(singles, into: store)
            results.stores[store.name]!.appendBatch1EventsPerSecond = rate
            results.stores[store.name]!.commitLatencyP50Microseconds = latencies.p50
            results.stores[store.name]!.commitLatencyP99Microseconds = latencies.p99
        }
        let (counts, answers) = try await lookupsAndScans(stores, samples: load.samples, results: &results)
        let problems = StorePhases.disagreements(counts: counts, answers: answers, samples: load.samples)
        for problem in problems.prefix(20) { log("DISAGREEMENT: \(problem)") }
        results.consistent = problems.isEmpty && counts.values.allSatisfy { $0 == count + singles.count }
        if !results.consistent && problems.isEmpty {
            log("DISAGREEMENT: expected \(count + singles.count) events, got \(counts)")
        }

        guard let ledgerStore = stores.first as? TraceLedgerStore else {
            throw BenchError("TraceLedger store missing")
        }
        let ledger = ledgerStore.ledger
        log("TraceLedger: verify, scan to a file, projection rebuild, replay to a file, concurrent appenders")
        results.ledger.verifyEventsPerSecond = try LedgerPhases.verify(ledger)
        results.ledger.verifyWithIndexesEventsPerSecond = try LedgerPhases.verifyWithIndexes(ledger)
        let proofs = try ProofPhase.measure(ledger)
        results.ledger.inclusionProofP50Microseconds = proofs.inclusion.p50
        results.ledger.inclusionProofP99Microseconds = proofs.inclusion.p99
        results.ledger.pastRootP50Microseconds = proofs.pastRoot.p50
        results.ledger.pastRootP99Microseconds = proofs.pastRoot.p99
        results.ledger.merkleBytesPerEvent = proofs.treeBytesPerEvent
        results.ledger.scanToFileEventsPerSecond = try LedgerPhases.scanToFile(
            ledger, path: root + "/scan.ndjson")
        results.ledger.projectionRebuildEventsPerSecond = try await LedgerPhases.rebuildProjections(ledger)
        results.ledger.replayToFileEventsPerSecond = try await LedgerPhases.replayToFile(
            ledger, path: root + "/replay.ndjson")
        if !quick {
            let retries = try await ReplayRetryPhase.measure(ledger, events: 3_000)
            results.ledger.replayCleanSeconds = retries.cleanSeconds
            results.ledger.replayWithRetriesSeconds = retries.flakySeconds
            results.ledger.replayWithRetriesRatio = retries.ratio
        }
        let eight = try await LedgerPhases.concurrentAppends(
            try extraReader.next(8 * perAppender8), appenders: 8, into: ledger)
        results.ledger.concurrent8EventsPerSecond = eight.eventsPerSecond
        results.ledger.concurrent8P99Microseconds = eight.latencies.p99
        let many = try await LedgerPhases.concurrentAppends(
            try extraReader.next(64 * perAppender64), appenders: 64, into: ledger)
        results.ledger.concurrent64EventsPerSecond = many.eventsPerSecond
        results.ledger.concurrent64P99Microseconds = many.latencies.p99
        try await appendsBesideRebuild(ledger, events: extraReader, results: &results)

        log("TraceLedger: import of \(count) events from NDJSON in a child process (peak RSS)")
        let report = try ImportChild.measure(file: files.main, store: root + "/import")
        results.ledger.importEventsPerSecond = Double(report.events) / report.seconds
        results.ledger.importPeakRSSBytes = report.peakRSSBytes
        results.ledger.importPeakAnonymousBytes = report.peakAnonymousBytes
        if report.events != count {
            log("DISAGREEMENT: the import appended \(report.events) of \(count) events")
            results.consistent = false
        }
        log("TraceLedger: the console's trace page of a \(ConsolePhase.traceEvents)-event trace")
        let console = try await ConsolePhase.measure(
            ledger, events: try extraReader.next(ConsolePhase.traceEvents))
        results.ledger.consoleTracePageP50Milliseconds = console.tracePage.p50 / 1000
        results.ledger.consoleTracePageP99Milliseconds = console.tracePage.p99 / 1000

        log(
            "TraceLedger: replicas over NATS JetStream (apply rate, lag at \(ReplicaPhase.steadyRate) events/s)"
        )
        let replicas = try await ReplicaPhase.measure(
            root: root, seed: seed, applyEvents: quick ? 2_000 : 20_000, steadySeconds: quick ? 1 : 10)
        results.ledger.replicaApplyEventsPerSecond = replicas.applyEventsPerSecond
        results.ledger.replicaLagP50Milliseconds = replicas.lag.p50 / 1000
        results.ledger.replicaLagP99Milliseconds = replicas.lag.p99 / 1000
        results.ledger.replicaPublishAckP99Milliseconds = replicas.publishAck.p99 / 1000
    }

    /// Append latency of 8 appenders alone, then while a full projection rebuild runs on the same ledger.
    private func appendsBesideRebuild(
        _ ledger: Ledger, events reader: EventBatchReader, results: inout BenchResults
    ) async throws {
        let appenders = 8
        log("TraceLedger: \(appenders) appenders alone, then during a projection rebuild")
        let alone = try await LedgerPhases.concurrentAppends(
            try reader.next(appenders * perAppenderBesideRebuild), appenders: appenders, into: ledger)
        let during = try await LedgerPhases.appendsDuringRebuild(
            try reader.next(appenders * perAppenderBesideRebuild), appenders: appenders, into: ledger)
        guard during.latencies.count > 0 else {
            throw BenchError("no append overlapped the projection rebuild")
        }
        results.ledger.rebuildOverlapAppenders = appenders
        results.ledger.appendAloneP50Microseconds = alone.latencies.p50
        results.ledger.appendAloneP99Microseconds = alone.latencies.p99
        results.ledger.appendDuringRebuildP50Microseconds = during.latencies.p50
        results.ledger.appendDuringRebuildP99Microseconds = during.latencies.p99
        results.ledger.appendDuringRebuildP99Ratio = during.latencies.p99 / alone.latencies.p99
        results.ledger.appendsOverlappingRebuild = during.latencies.count
        results.ledger.appendDuringRebuildEventsPerSecond = during.eventsPerSecond
        results.ledger.rebuildWithAppendsEvents = Int(during.rebuildEvents)
        results.ledger.rebuildWithAppendsSeconds = during.rebuildSeconds
    }

    private func lookupsAndScans(
        _ stores: [any BenchStore], samples: LookupSamples, results: inout BenchResults
    )
        async throws -> (counts: [String: Int], answers: [String: StorePhases.LookupAnswers])
    {
        var counts: [String: Int] = [:]
        var answers: [String: StorePhases.LookupAnswers] = [:]
        for store in stores {
            log(
                "lookups of \(samples.traces.count) traces and \(samples.streams.count) streams, full scan: \(store.name)"
            )
            var answer = try StorePhases.lookups(samples, in: store)
            results.stores[store.name, default: StoreFigures()].traceLookupP50Microseconds =
                answer.traceLatencies.p50
            results.stores[store.name]!.traceLookupP99Microseconds = answer.traceLatencies.p99
            results.stores[store.name]!.historyLookupP50Microseconds = answer.streamLatencies.p50
            results.stores[store.name]!.historyLookupP99Microseconds = answer.streamLatencies.p99
            let scan = try StorePhases.scan(store)
            results.stores[store.name]!.scanEventsPerSecond = scan.eventsPerSecond
            answer.scan = scan.digest
            counts[store.name] = try store.count()
            if scan.digest.events != counts[store.name] {
                log(
                    "DISAGREEMENT: \(store.name) scanned \(scan.digest.events) events but counts \(counts[store.name]!)"
                )
                counts[store.name + " (scan)"] = scan.digest.events
            }
            answers[store.name] = answer
        }
        return (counts, answers)
    }

    /// Append (batch 1000), lookups and bytes at one store size, plus the import's peak RSS.
    private func scalePoint(events count: Int, root: String) async throws -> ScalePoint {
        let directory = root + "/scale-\(count)"
        log("scale: generating \(count) events")
        let files = try WorkloadFiles.write(seed: seed, events: count, extraEvents: 0, in: root)
        let stores = try makeStores(in: directory)
        let load = try await StorePhases.bulkLoad(
            file: files.main, stores: stores.map { ($0, 1000) }, sampleCount: lookupSamples,
            expectedEvents: count,
            seed: seed, progress: progress(of: count))
        var results = BenchResults(events: count, seed: seed, machine: .current(directory: root))
        for (index, store) in stores.enumerated() {
            results.stores[store.name] = StoreFigures(
                appendBatch1000EventsPerSecond: Double(count) / load.seconds[index],
                bytesPerEvent: Double(try store.bytesOnDisk()) / Double(count))
        }
        let (counts, answers) = try await lookupsAndScans(stores, samples: load.samples, results: &results)
        let problems = StorePhases.disagreements(counts: counts, answers: answers, samples: load.samples)
        guard problems.isEmpty else {
            throw BenchError("the stores disagree at \(count) events: \(problems.prefix(5))")
        }
        log("scale: import of \(count) events in a child process")
        let report = try ImportChild.measure(file: files.main, store: directory + "/import")
        try FileManager.default.removeItem(atPath: directory)
        return ScalePoint(
            events: count, stores: results.stores,
            importEventsPerSecond: Double(report.events) / report.seconds,
            importPeakRSSBytes: report.peakRSSBytes, importPeakAnonymousBytes: report.peakAnonymousBytes)
    }

    private func makeStores(in directory: String) throws -> [any BenchStore] {
        [
            try TraceLedgerStore(path: directory + "/traceledger"),
            try RawLMDBStore(path: directory + "/lmdb"),
            try SQLiteStore(directory: directory + "/sqlite"),
        ]
    }

    private func progress(of total: Int) -> (Int) -> Void {
        { loaded in
            if loaded % (total >= 1_000_000 ? 200_000 : max(10_000, total / 5)) == 0 {
                log("  \(loaded) / \(total)")
            }
        }
    }
}

/// Progress on standard error, so stdout holds only the results.
func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
