/// What an event says, as it was received: everything but what the ledger assigns at append.
public struct EventContent: Sendable, Equatable {
    /// The idempotency key (given, or derived from the content when absent).
    public var eventId: EventID
    /// Groups every change of one business flow across systems: what `trace` looks up. Empty in an event
    /// that arrived without one, until the append gives it its order's trace (`OrderIndex`); never empty in a
    /// recorded event.
    public var traceId: String
    public var correlationId: String?
    /// The event that caused this one, if known.
    public var causationId: EventID?
    public var domain: Domain
    /// The entity within its domain, e.g. `SO-100001`, or `SKU-1@WH-BER` for stock.
    public var entityId: String
    /// `domain.verb`, e.g. `payment.captured`; has a schema in `schemas/`.
    public var type: String
    /// The system the change came from, e.g. `shopify`, `stripe`, `erp`.
    public var origin: String
    /// Who made the change: `user:…`, `service:…` or `system:…`.
    public var actor: String
    /// When it happened in the origin system.
    public var occurredAt: Timestamp
    /// The payload's JSON exactly as received: big integers and decimal strings are never re-encoded.
    public var payload: [UInt8]

    public init(
        eventId: EventID, traceId: String, correlationId: String? = nil, causationId: EventID? = nil,
        domain: Domain, entityId: String, type: String, origin: String, actor: String, occurredAt: Timestamp,
        payload: [UInt8]
    ) {
        self.eventId = eventId
        self.traceId = traceId
        self.correlationId = correlationId
        self.causationId = causationId
        self.domain = domain
        self.entityId = entityId
        self.type = type
        self.origin = origin
        self.actor = actor
        self.occurredAt = occurredAt
        self.payload = payload
    }

    /// The stream (entity history) this event belongs to.
    public var streamKey: StreamKey { StreamKey(domain: domain, entityId: entityId) }

    /// The payload as text.
    public var payloadText: String { String(decoding: payload, as: UTF8.self) }
}

/// An entity's identity across the ledger: its domain and id.
public struct StreamKey: Sendable, Hashable, CustomStringConvertible {
    public let domain: Domain
    public let entityId: String

    public init(domain: Domain, entityId: String) {
        self.domain = domain
        self.entityId = entityId
    }

    /// `domain/entityId`, the index key (a domain never contains "/").
    public var description: String { "\(domain.rawValue)/\(entityId)" }
}
