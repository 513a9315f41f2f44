/// One generated event: its NDJSON line and, for tests, the envelope fields it was made of.
///
/// `line` is exactly what the tool prints (without the newline); the other properties repeat
/// parts of it so a test can check the ledger without parsing JSON. Field order in `line`:
/// eventId, traceId, domain, entityId, type, origin, actor, occurredAt, payload.
///
/// Sendable: immutable values.
public struct GeneratedEvent: Sendable, Hashable {
    /// The NDJSON line, without a trailing newline.
    public let line: String
    /// Lower-case UUID, unique across the workload.
    public let eventId: String
    /// 32 lower-case hex digits, shared by every event of a flow.
    public let traceId: String
    /// `order`, `payment`, `stock`, `invoice`, `customer` or `ledger`.
    public let domain: String
    /// The stream the event belongs to: `SO-100001`, `pi_…`, `SKU-00042@WH-BER`, `INV-100001`, …
    public let entityId: String
    /// `order.created`, …
    public let type: String
    /// The system it came from: `shopify`, `stripe`, `erp`, `wms`, `shopify-admin`, `traceledger`.
    public let origin: String
    /// `service:…`, `user:…` or `system:…`.
    public let actor: String
    /// RFC 3339 UTC with milliseconds, `2026-11-02T09:15:03.123Z`.
    public let occurredAt: String
    /// `occurredAt` as nanoseconds since the Unix epoch (always a whole millisecond).
    public let occurredAtNanoseconds: Int64
    /// The payload object as it appears in `line`.
    public let payloadJSON: String
    /// The index of the flow (and trace) this event belongs to; see `GeneratedFlow.index`.
    public let flowIndex: Int

    init(
        eventId: String, traceId: String, entityId: String, type: String, origin: String, actor: String,
        occurredAtMilliseconds: Int64, payloadJSON: String, flowIndex: Int
    ) {
        let domain = String(type.prefix { $0 != "." })
        let occurredAt = RFC3339Timestamp.format(milliseconds: occurredAtMilliseconds)
        var envelope = JSONObjectWriter(capacity: 200 + payloadJSON.utf8.count)
        envelope.add("eventId", eventId)
        envelope.add("traceId", traceId)
        envelope.add("domain", domain)
        envelope.add("entityId", entityId)
        envelope.add("type", type)
        envelope.add("origin", origin)
        envelope.add("actor", actor)
        envelope.add("occurredAt", occurredAt)
        envelope.add("payload", json: payloadJSON)
        self.line = envelope.finish()
        self.eventId = eventId
        self.traceId = traceId
        self.domain = domain
        self.entityId = entityId
        self.type = type
        self.origin = origin
        self.actor = actor
        self.occurredAt = occurredAt
        self.occurredAtNanoseconds = occurredAtMilliseconds * 1_000_000
        self.payloadJSON = payloadJSON
        self.flowIndex = flowIndex
    }
}
