public import Hummingbird
import JSONKit
import TraceLedger

/// Traces, streams and state: what an investigator reads.
struct QueryRoutes {
    let ledger: Ledger
    let projections: ProjectionEngine

    /// `GET /v1/traces/{traceId}`: every event of the trace, in log order; 404 when there is none.
    func trace(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let traceId = try context.parameter("traceId")
        let events = try ledger.events(forTrace: traceId)
        guard !events.isEmpty else { throw APIError.notFound("no events in trace \(traceId)") }
        return JSONBody.response(bytes: JSONBody.events(events, before: ["traceId": .string(traceId)]))
    }

    /// `GET /v1/orders/{orderId}/trace`: the trace of the order known by the shop's, the ERP's or a payment's
    /// id, as `GET /v1/traces/{traceId}` answers it.
    func orderTrace(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let orderId = try context.parameter("orderId")
        let (traceId, events) = try ledger.read { snapshot in
            let traceId = try snapshot.trace(ofOrder: orderId)
            return (traceId, try traceId.map { try snapshot.events(forTrace: $0) } ?? [])
        }
        guard let traceId else {
            throw APIError.notFound(
                "no event names the order \(orderId); give the shop's order id, the ERP's order number or a payment id"
            )
        }
        return JSONBody.response(
            bytes: JSONBody.events(
                events, before: ["orderId": .string(orderId), "traceId": .string(traceId)]))
    }

    /// `GET /v1/streams/{domain}/{entityId}`: the entity's events, oldest first, with its version.
    func stream(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let entity = try Self.entity(context)
        let events = try ledger.history(of: entity)
        guard !events.isEmpty else {
            throw APIError.notFound("no events for \(entity); check the domain and id")
        }
        return JSONBody.response(
            bytes: JSONBody.events(
                events,
                before: [
                    "domain": .string(entity.domain.rawValue), "entityId": .string(entity.entityId),
                    "version": .integer(events.count),
                ]))
    }

    /// `GET /v1/state/{domain}/{entityId}?asOf&occurredBefore`: the entity's state now or at an instant
    /// (the projections are caught up first, as the CLI does).
    func state(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let entity = try Self.entity(context)
        guard Domain.projected.contains(entity.domain) else {
            throw APIError.badRequest(
                "\(entity.domain.rawValue) has no state; choose order, payment, stock, invoice or customer")
        }
        var instant = LogInstant()
        var described: [String] = []
        switch try request.bound("asOf") {
        case .position(let position):
            instant.position = position
            described.append("position \(position)")
        case .time(let time):
            instant.recordedAtOrBefore = time
            described.append(time.rfc3339)
        case nil: break
        }
        if let text = request.query("occurredBefore") {
            guard let time = Timestamp(rfc3339: text) else {
                throw APIError.badRequest(
                    "occurredBefore must be an RFC 3339 time such as 2026-11-02T09:00:00Z")
            }
            instant.occurredBefore = time
            described.append("occurred before \(time.rfc3339)")
        }
        let asOf = described.isEmpty ? "now" : described.joined(separator: ", ")
        try await projections.catchUp()
        let snapshot =
            instant == .now
            ? try projections.state(of: entity) : try projections.state(of: entity, asOf: instant)
        guard let snapshot else { throw APIError.notFound("\(entity) has no state as of \(asOf)") }
        return JSONBody.response(snapshot.jsonObject(asOf: asOf))
    }

    static func entity(_ context: LedgerRequestContext) throws -> StreamKey {
        let name = try context.parameter("domain")
        guard let domain = Domain(rawValue: name) else {
            throw APIError.badRequest(
                "unknown domain \"\(name)\"; the domains are \(Domain.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return StreamKey(domain: domain, entityId: try context.parameter("entityId"))
    }
}
