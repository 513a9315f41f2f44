import Logging
import ServiceLifecycle
import TraceLedger
import TraceLedgerServer

/// The HTTP server `traceledger serve` runs, in this process, on a free loopback port over `ledger`: the
/// application of `buildApplication` and the ledger's service in one `ServiceGroup`, as the server tests
/// start it. No tokens (allowed on loopback only), no metrics backend.
///
/// Sendable: the port, an actor and a task.
final class BenchServer: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var base: String { "http://127.0.0.1:\(port)" }

    static func start(ledger: Ledger) async throws -> BenchServer {
        var logger = Logger(label: "ledger-bench.server")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try buildApplication(
            ServerConfiguration(host: "127.0.0.1", port: 0), ledger: ledger, logger: logger,
            onServerRunning: { continuation.yield($0) })
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: LedgerService(ledger: ledger)), .init(service: application)],
                gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            // A server that fails to start ends the stream, so the wait for its port below ends too.
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw BenchError("the HTTP server stopped before it listened")
        }
        return BenchServer(port: port, group: group, task: task)
    }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Shuts the server down gracefully (open live tails end within about a second), then closes the ledger.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
