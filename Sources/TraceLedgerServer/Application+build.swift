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

/// One route of the API: what `buildRouter` registers and what docs/openapi.json must describe (a test
/// compares the two).
public struct APIRoute: Sendable, Hashable {
    public let method: String
    /// The path in OpenAPI form, `/v1/traces/{traceId}`.
    public let path: String
    /// The role a token needs; nil for the unauthenticated health and metrics routes and the webhooks (whose
    /// credential is the provider's signature).
    public let role: Role?
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
    let events = EventRoutes(ledger: ledger, metrics: metrics)
    let queries = QueryRoutes(ledger: ledger, projections: projections)
    let verifications = VerificationRecord()
    let audits = AuditRoutes(ledger: ledger, projections: projections, verifications: verifications)
    let consumers = ConsumerRoutes(ledger: ledger)
    let cloudEvents = CloudEventRoutes(ledger: ledger, metrics: metrics)
    let webhooks = WebhookRoutes(ledger: ledger, metrics: metrics, configuration: configuration.webhooks)
    var live = LiveRoutes(ledger: ledger, metrics: metrics)
    live.heartbeat = configuration.heartbeat
    let authenticated = router.group().add(middleware: AuthenticationMiddleware(tokens: configuration.tokens))
    let handlers = routes(health, events, queries, audits, consumers, live, webhooks, cloudEvents)
    for route in APIRoute.all {
        let handler = handlers[route]!
        // Hummingbird writes parameters as `:name`.
        let path = route.path.replacing(#/\{(\w+)\}/#) { ":" + $0.1 }
        let group =
            route.role.map {
                authenticated.group().add(
                    middleware: RoleMiddleware(role: $0, enforced: configuration.tokens != nil))
            } ?? router.group()
        group.on(RouterPath(path), method: .init(route.method)!, use: handler)
    }
    ConsoleRoutes(
        ledger: ledger, projections: projections, tokens: configuration.tokens, sessions: ConsoleSessions(),
        metrics: metrics, verifications: verifications
    ).register(on: router)
    return router
}

typealias Handler = @Sendable (Request, LedgerRequestContext) async throws -> Response

extension APIRoute {
    /// Every route the server answers, in the order docs/http-api.md lists them.
    public static let all: [APIRoute] = [
        APIRoute(method: "GET", path: "/healthz", role: nil),
        APIRoute(method: "GET", path: "/readyz", role: nil),
        APIRoute(method: "GET", path: "/metrics", role: nil),
        APIRoute(method: "POST", path: "/v1/events", role: .ingest),
        APIRoute(method: "GET", path: "/v1/events", role: .read),
        APIRoute(method: "GET", path: "/v1/events/live", role: .read),
        APIRoute(method: "GET", path: "/v1/events/{position}/raw", role: .read),
        APIRoute(method: "POST", path: "/v1/webhooks/shopify", role: nil),
        APIRoute(method: "POST", path: "/v1/webhooks/stripe", role: nil),
        APIRoute(method: "POST", path: "/v1/cloudevents", role: .ingest),
        APIRoute(method: "GET", path: "/v1/traces/{traceId}", role: .read),
        APIRoute(method: "GET", path: "/v1/orders/{orderId}/trace", role: .read),
        APIRoute(method: "GET", path: "/v1/streams/{domain}/{entityId}", role: .read),
        APIRoute(method: "GET", path: "/v1/state/{domain}/{entityId}", role: .read),
        APIRoute(method: "GET", path: "/v1/audit", role: .audit),
        APIRoute(method: "GET", path: "/v1/reconcile", role: .audit),
        APIRoute(method: "GET", path: "/v1/verify", role: .audit),
        APIRoute(method: "GET", path: "/v1/stats", role: .audit),
        APIRoute(method: "GET", path: "/v1/checkpoint", role: .audit),
        APIRoute(method: "GET", path: "/v1/proofs/{position}", role: .audit),
        APIRoute(method: "GET", path: "/v1/consumers", role: .operate),
        APIRoute(method: "GET", path: "/v1/consumers/{name}/dead-letters", role: .operate),
        APIRoute(method: "POST", path: "/v1/consumers/{name}/dead-letters/{position}/retry", role: .operate),
        APIRoute(
            method: "POST", path: "/v1/consumers/{name}/dead-letters/{position}/discard", role: .operate),
    ]
}

/// The handler of each route.
private func routes(
    _ health: HealthRoutes, _ events: EventRoutes, _ queries: QueryRoutes, _ audits: AuditRoutes,
    _ consumers: ConsumerRoutes, _ live: LiveRoutes, _ webhooks: WebhookRoutes,
    _ cloudEvents: CloudEventRoutes
) -> [APIRoute: Handler] {
    let handlers: [Handler] = [
        health.health, health.ready, health.metrics, events.append, events.list, live.live, events.raw,
        webhooks.shopify, webhooks.stripe, cloudEvents.append, queries.trace, queries.orderTrace,
        queries.stream, queries.state,
        audits.audit, audits.reconcile, audits.verify, audits.stats,
        audits.checkpoint, audits.inclusionProof,
        consumers.list,
        consumers.deadLetters, consumers.retry, consumers.discard,
    ]
    precondition(handlers.count == APIRoute.all.count, "every route of APIRoute.all needs its handler")
    return Dictionary(uniqueKeysWithValues: zip(APIRoute.all, handlers))
}

/// The ledger as a service of the server's `ServiceGroup`: while the server runs it frees the reader slots
/// of dead processes every `readerCheckInterval` (a CLI killed mid-read would otherwise pin pages for as
/// long as the server keeps the store open); on graceful shutdown (after the HTTP server, shut down first,
/// has answered its in-flight requests) it lets the writer finish and closes the store.
public struct LedgerService: Service {
    public let ledger: Ledger
    public var readerCheckInterval: Duration = .seconds(60)
    let logger = Logger(label: "traceledger.server")

    public init(ledger: Ledger) { self.ledger = ledger }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: readerCheckInterval) }
            } catch {
                break  // shutting down
            }
            do {
                let freed = try ledger.clearStaleReaders()
                if freed > 0 {
                    logger.warning(
                        "freed the reader slots of dead processes", metadata: ["slots": "\(freed)"])
                }
            } catch {
                logger.error("checking the reader table failed", metadata: ["error": "\(error)"])
            }
        }
        await ledger.close()
    }
}
