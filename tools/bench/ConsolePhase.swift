import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TraceLedger
import TraceLedgerServer

/// The console's trace page on the benchmark's store: a trace of 50 events, rendered by the server in this
/// process and fetched over loopback (the latency is the server's time plus a loopback round trip, an upper
/// bound of the server time the target names). Stops the server, which closes the ledger: run last.
enum ConsolePhase {
    static let traceEvents = 50

    struct Figures {
        var tracePage = LatencySample()
        var traceEvents = 0
    }

    static func measure(_ ledger: Ledger, events: [ProposedEvent], samples: Int = 50) async throws -> Figures
    {
        let traceId = "c0de" + String(repeating: "5", count: 28)
        let traced = events.prefix(traceEvents).map { event -> ProposedEvent in
            var event = event
            event.content.traceId = traceId
            return event
        }
        _ = try await ledger.append(Array(traced))
        var logger = Logger(label: "ledger-bench.console")
        logger.logLevel = .warning
        let server = try await LocalServer.start(ledger: ledger, logger: logger)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var figures = Figures()
        do {
            let url = server.base + "/traces/\(traceId)"
            // The first request catches the projections up to the head (the reconciliation reads them).
            _ = try await fetch(client, url)
            for _ in 0..<samples {
                let start = monotonicNanoseconds()
                let body = try await fetch(client, url)
                figures.tracePage.record(monotonicNanoseconds() - start)
                figures.traceEvents = body.components(separatedBy: "class=\"event-mark\"").count - 1
            }
        } catch {
            try? await client.shutdown()
            try? await server.stop()
            throw error
        }
        try await client.shutdown()
        try await server.stop()
        guard figures.traceEvents == traceEvents else {
            throw BenchError("the trace page showed \(figures.traceEvents) of \(traceEvents) events")
        }
        return figures
    }

    private static func fetch(_ client: HTTPClient, _ url: String) async throws -> String {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
        let body = String(buffer: try await response.body.collect(upTo: 16 << 20))
        guard response.status == .ok else {
            throw BenchError("GET \(url): \(response.status) \(body.prefix(200))")
        }
        return body
    }
}
