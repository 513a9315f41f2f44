public import Hummingbird
public import Logging
public import ServiceLifecycle
public import TraceLedger

/// The HTTP application over `ledger`, built the way hummingbird-project/template does: tests start it on a
/// free port, `traceledger serve` runs it in a `ServiceGroup` with the ledger's own service.
///
/// - Parameters:
///   - renderMetrics: the Prometheus text of every metric, from the registry the executable bootstrapped.
///   - onServerRunning: called with the bound port once the server listens.
/// - Throws: `LedgerError` `.invalidArgument` for a non-loopback address without tokens.
public func buildApplication(
    _ configuration: ServerConfiguration, ledger: Ledger, logger: Logger,
    renderMetrics: @escaping @Sendable () -> [UInt8] = { Array("# no metrics backend\n".utf8) },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    guard configuration.tokens != nil || configuration.isLoopback else {
        throw LedgerError(
            .invalidArgument,
            "refusing to listen on \(configuration.host) without --tokens: anyone who reaches the port could "
                + "write and read the ledger; make a token file with `traceledger token add`, or listen on "
                + "127.0.0.1")
    }
    let router = buildRouter(configuration, ledger: ledger, renderMetrics: renderMetrics)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "traceledger"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port)
        },
        logger: logger)
}

/// Every route with the role it needs (docs/http-api.md).
func buildRouter(
    _ configuration: ServerConfiguration, ledger: Ledger, renderMetrics: @escaping @Sendable () -> [UInt8]
) -> Router<LedgerRequestContext> {
    let metrics = ServerMetrics()
    let projections = ProjectionEngine(ledger: ledger)
    let router = Router(context: LedgerRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    let health = HealthRoutes(ledger: ledger, metrics: metrics, renderMetrics: renderMetrics)
    router.get("/healthz", use: health.health)
    router.get("/readyz", use: health.ready)
    router.get("/metrics", use: health.metrics)

    let enforced = configuration.tokens != nil
    let api = router.group("v1").add(middleware: AuthenticationMiddleware(tokens: configuration.tokens))
    let events = EventRoutes(ledger: ledger, metrics: metrics)
    let queries = QueryRoutes(ledger: ledger, projections: projections)
    let audits = AuditRoutes(ledger: ledger, projections: projections)
    let consumers = ConsumerRoutes(ledger: ledger)
    var live = LiveRoutes(ledger: ledger, metrics: metrics)
    live.heartbeat = configuration.heartbeat

    api.group().add(middleware: RoleMiddleware(role: .ingest, enforced: enforced))
        .post("events", use: events.append)
    let read = api.group().add(middleware: RoleMiddleware(role: .read, enforced: enforced))
    read.get("events", use: events.list)
    read.get("events/live", use: live.live)
    read.get("traces/:traceId", use: queries.trace)
    read.get("streams/:domain/:entityId", use: queries.stream)
    read.get("state/:domain/:entityId", use: queries.state)
    let audit = api.group().add(middleware: RoleMiddleware(role: .audit, enforced: enforced))
    audit.get("audit", use: audits.audit)
    audit.get("reconcile", use: audits.reconcile)
    audit.get("verify", use: audits.verify)
    audit.get("stats", use: audits.stats)
    let operate = api.group().add(middleware: RoleMiddleware(role: .operate, enforced: enforced))
    operate.get("consumers", use: consumers.list)
    operate.get("consumers/:name/dead-letters", use: consumers.deadLetters)
    operate.post("consumers/:name/dead-letters/:position/retry", use: consumers.retry)
    operate.post("consumers/:name/dead-letters/:position/discard", use: consumers.discard)
    return router
}

/// The ledger as a service of the server's `ServiceGroup`: on graceful shutdown (after the HTTP server,
/// which is shut down first, has answered its in-flight requests) it lets the writer finish and closes the
/// store.
public struct LedgerService: Service {
    public let ledger: Ledger

    public init(ledger: Ledger) { self.ledger = ledger }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled rather than shut down gracefully: close all the same.
        }
        await ledger.close()
    }
}
