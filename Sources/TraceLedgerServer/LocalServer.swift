public import Logging
import ServiceLifecycle
public import TraceLedger

/// The server `traceledger serve` runs, started in this process on a loopback port over `ledger`: the
/// application of `buildApplication` and the ledger's service in one `ServiceGroup`. Tests and the benchmark
/// use it; stopping it shuts the server down gracefully and then closes the ledger.
///
/// Sendable: the port, a service group (Sendable) and a task.
public final class LocalServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// `http://127.0.0.1:PORT`.
    public var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server with `configuration` (port 0 picks a free one) and returns once it listens.
    ///
    /// - Throws: what `buildApplication` throws, or `LedgerError` `.unavailable` when it stopped before it
    ///   listened.
    public static func start(
        _ configuration: ServerConfiguration = ServerConfiguration(host: "127.0.0.1", port: 0),
        ledger: Ledger,
        logger: Logger = Logger(label: "traceledger.server"),
        renderMetrics: @escaping @Sendable () -> [UInt8] = { Array("# no metrics backend\n".utf8) }
    ) async throws -> LocalServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try buildApplication(
            configuration, ledger: ledger, logger: logger, renderMetrics: renderMetrics,
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
            throw LedgerError(.unavailable, "the HTTP server stopped before it listened")
        }
        return LocalServer(port: port, group: group, task: task)
    }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Shuts the server down gracefully (open live tails end within about a second), then closes the ledger.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
