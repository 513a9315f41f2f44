import Foundation
import TraceLedger
import TraceLedgerSinks
import TraceLedgerTesting

/// A replay to a real local HTTP downstream that answers 503 to one in five first attempts, against the
/// same replay answered cleanly, at default options (one lane, 200 ms base backoff): what a flaky ERP costs.
enum ReplayRetryPhase {
    struct Figures {
        let events: Int
        let cleanSeconds: Double
        let flakySeconds: Double
        var ratio: Double { flakySeconds / max(cleanSeconds, 1e-9) }
    }

    static func measure(_ ledger: Ledger, events: UInt64) async throws -> Figures {
        let server = try await DownstreamServer()
        func run(_ consumer: String) async throws -> Double {
            var options = ReplayOptions(consumer: consumer, actor: "system:ledger-bench")
            options.from = .position(1)
            options.until = .position(events)
            let started = monotonicNanoseconds()
            let summary = try await Replayer(
                ledger: ledger, sink: HTTPSink(url: server.url), options: options
            ).run()
            guard summary.deadLettered == 0 else { throw BenchError("the flaky replay dead-lettered events") }
            return Double(monotonicNanoseconds() - started) / 1e9
        }
        server.respond { _, _ in .ok }
        let clean = try await run("bench-clean")
        // One in five events is refused with 503 on its first attempt (by its id, so both runs see the same).
        server.respond { request, _ in
            request.attempt == 1 && (request.idempotencyKey?.hashValue ?? 0) % 5 == 0 ? .status(503) : .ok
        }
        let flaky = try await run("bench-flaky")
        try await server.stop()
        return Figures(events: Int(events), cleanSeconds: clean, flakySeconds: flaky)
    }
}
