import Foundation
import Logging
import TraceLedger

/// Measures only TraceLedger has: verify, replay to a file, concurrent appenders with group commit.
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

    /// Rebuilds every projection from position 1; returns events folded per second.
    static func rebuildProjections(_ ledger: Ledger) async throws -> Double {
        let started = monotonicNanoseconds()
        let progress = try await ProjectionEngine(ledger: ledger).rebuild()
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
}
