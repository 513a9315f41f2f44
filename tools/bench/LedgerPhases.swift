import Foundation
import Logging
import Synchronization
import TraceLedger

/// Measures only TraceLedger has: verify, replay to a file, concurrent appenders with group commit, appends
/// during a projection rebuild.
enum LedgerPhases {
    /// Walks the hash chain; returns events per second.
    static func verify(_ ledger: Ledger) throws -> Double {
        let started = monotonicNanoseconds()
        let result = try ledger.verify()
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        guard case .intact(let head) = result else {
            throw BenchError("verify found the chain broken: \(result)")
        }
        return Double(head.position) / seconds
    }

    /// Walks the hash chain, then checks every index against the records (what `traceledger verify` runs);
    /// returns events per second.
    static func verifyWithIndexes(_ ledger: Ledger) throws -> Double {
        let started = monotonicNanoseconds()
        guard case .intact(let head) = try ledger.verify() else {
            throw BenchError("verify found the chain broken")
        }
        let damage = try ledger.verifyIndexes()
        guard damage.isEmpty else { throw BenchError("verify found damaged indexes: \(damage)") }
        return Double(head.position) / (Double(monotonicNanoseconds() - started) / 1e9)
    }

    /// Replays the whole log to an NDJSON file with `Replayer` and `FileSink`, default options (what
    /// `traceledger replay --to file:PATH` does). Returns events delivered per second.
    static func replayToFile(_ ledger: Ledger, path: String) async throws -> Double {
        let sink = try FileSink(path: path)
        let options = ReplayOptions(consumer: "ledger-bench", actor: "system:ledger-bench")
        var logger = Logger(label: "ledger-bench")
        logger.logLevel = .warning
        let summary = try await Replayer(ledger: ledger, sink: sink, options: options, logger: logger).run()
        await sink.close()
        try FileManager.default.removeItem(atPath: path)
        guard summary.delivered > 0, summary.deadLettered == 0 else {
            throw BenchError(
                "the replay delivered \(summary.delivered) events, \(summary.deadLettered) dead letters")
        }
        return Double(summary.delivered) / summary.seconds
    }

    /// The engine the rebuild phases use: the default one, or with `LEDGER_BENCH_FOLD_EVENTS` events per
    /// transaction (to compare transaction sizes in one build).
    static func projections(_ ledger: Ledger) -> ProjectionEngine {
        guard let events = ProcessInfo.processInfo.environment["LEDGER_BENCH_FOLD_EVENTS"].flatMap({ Int($0) })
        else { return ProjectionEngine(ledger: ledger) }
        return ProjectionEngine(ledger: ledger, eventsPerTransaction: events)
    }

    /// Rebuilds every projection from position 1; returns events folded per second.
    static func rebuildProjections(_ ledger: Ledger) async throws -> Double {
        let started = monotonicNanoseconds()
        let progress = try await projections(ledger).rebuild()
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        return Double(progress.eventsRead) / seconds
    }

    /// The floor under replay to a file: scans the log, writes each event's envelope as one line and fsyncs
    /// the file once. Returns events per second.
    static func scanToFile(_ ledger: Ledger, path: String) throws -> Double {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BenchError("cannot create \(path)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var count = 0
        var writeError: (any Error)?
        let started = monotonicNanoseconds()
        try ledger.forEachEvent(matching: EventQuery()) { event in
            buffer.append(contentsOf: event.envelopeJSON().utf8)
            buffer.append(0x0A)
            count += 1
            if buffer.count >= 1 << 20 {
                do {
                    try handle.write(contentsOf: buffer)
                } catch {
                    writeError = error
                    return false
                }
                buffer.removeAll(keepingCapacity: true)
            }
            return true
        }
        if let writeError { throw writeError }
        try handle.write(contentsOf: buffer)
        try handle.synchronize()
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        try handle.close()
        try FileManager.default.removeItem(atPath: path)
        return Double(count) / seconds
    }

    /// `appenders` tasks append one event per call, all at once, so the writer group-commits them.
    /// Returns events per second and every call's latency.
    static func concurrentAppends(_ events: [ProposedEvent], appenders: Int, into ledger: Ledger) async throws
        -> (eventsPerSecond: Double, latencies: LatencySample)
    {
        let perAppender = events.count / appenders
        let started = monotonicNanoseconds()
        let latencies = try await withThrowingTaskGroup(of: LatencySample.self) { group in
            for appender in 0..<appenders {
                let slice = Array(events[appender * perAppender..<(appender + 1) * perAppender])
                group.addTask {
                    var sample = LatencySample(capacity: slice.count)
                    for event in slice {
                        let before = monotonicNanoseconds()
                        _ = try await ledger.append(event)
                        sample.record(monotonicNanoseconds() - before)
                    }
                    return sample
                }
            }
            var all = LatencySample()
            for try await sample in group { all.merge(sample) }
            return all
        }
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        return (Double(perAppender * appenders) / seconds, latencies)
    }

    /// When one append started and how long it took, in nanoseconds.
    typealias AppendTiming = (start: UInt64, nanoseconds: UInt64)

    /// What `appendsDuringRebuild` measured.
    struct RebuildOverlap {
        /// The latencies of the appends that started while the rebuild ran.
        var latencies: LatencySample
        /// Those appends per second, over the time the appenders ran.
        var eventsPerSecond: Double
        /// Events the rebuild folded (the log grows under it, so more than the ledger held when it began).
        var rebuildEvents: UInt64
        /// From the call of `rebuild()` to its return, the deletion of the replaced generations included.
        var rebuildSeconds: Double
    }

    /// Starts a full `projections(ledger).rebuild()` and, while it runs, `appenders` tasks append one
    /// event per call from `events`, as `concurrentAppends` does. The appenders stop when the rebuild returns
    /// or their events run out; only the appends that started before the rebuild returned are kept.
    static func appendsDuringRebuild(_ events: [ProposedEvent], appenders: Int, into ledger: Ledger)
        async throws -> RebuildOverlap
    {
        let perAppender = events.count / appenders
        let end = RebuildEnd()
        let started = monotonicNanoseconds()
        let rebuild = Task {
            defer { end.mark() }
            return try await projections(ledger).rebuild()
        }
        let appends: [AppendTiming]
        do {
            appends = try await withThrowingTaskGroup(of: [AppendTiming].self) { group in
                for appender in 0..<appenders {
                    let slice = Array(events[appender * perAppender..<(appender + 1) * perAppender])
                    group.addTask {
                        var timings: [AppendTiming] = []
                        timings.reserveCapacity(slice.count)
                        for event in slice {
                            if end.hasPassed { break }
                            let before = monotonicNanoseconds()
                            _ = try await ledger.append(event)
                            timings.append((before, monotonicNanoseconds() - before))
                        }
                        return timings
                    }
                }
                var all: [AppendTiming] = []
                for try await timings in group { all.append(contentsOf: timings) }
                return all
            }
        } catch {
            _ = try? await rebuild.value
            throw error
        }
        let progress = try await rebuild.value
        let rebuildEnded = end.nanoseconds
        var latencies = LatencySample(capacity: appends.count)
        var lastFinish = started
        for append in appends where append.start < rebuildEnded {
            latencies.record(append.nanoseconds)
            lastFinish = max(lastFinish, append.start + append.nanoseconds)
        }
        let appendSeconds = Double(lastFinish - started) / 1e9
        return RebuildOverlap(
            latencies: latencies,
            eventsPerSecond: appendSeconds > 0 ? Double(latencies.count) / appendSeconds : 0,
            rebuildEvents: progress.eventsRead, rebuildSeconds: Double(rebuildEnded - started) / 1e9)
    }
}

/// When the rebuild of `appendsDuringRebuild` returned (0 while it runs), read by every appender.
///
/// Sendable: one atomic.
private final class RebuildEnd: Sendable {
    private let end = Atomic<UInt64>(0)

    func mark() { end.store(monotonicNanoseconds(), ordering: .releasing) }

    var hasPassed: Bool { end.load(ordering: .acquiring) != 0 }

    /// The time of the end; only after the rebuild returned.
    var nanoseconds: UInt64 { end.load(ordering: .acquiring) }
}
