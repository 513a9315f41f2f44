public import JSONKit

/// An event as the projections see it: the envelope fields they use and the payload parsed once, shared by
/// every projection the event concerns.
///
/// Sendable: immutable values.
public struct ProjectionEvent: Sendable {
    public let position: UInt64
    public let recordedAt: Timestamp
    public let occurredAt: Timestamp
    public let domain: Domain
    public let entityId: String
    public let type: String
    public let traceId: String
    /// The payload's top-level members, each parsed only when a fold asks for it (a rebuild reads three or four
    /// of them; parsing every payload into a tree was a tenth of it). The ledger validates every payload as an
    /// object, so only a damaged record differs: one that is not an object has no members, and a fold that finds
    /// no field records an anomaly; one damaged inside a member gives that member as missing and the others as
    /// they are (`verify` names the record, as its hash no longer matches).
    let members: JSONMemberIndex?

    /// Indexes `event`'s payload.
    public init(_ event: RecordedEvent) {
        position = event.position
        recordedAt = event.recordedAt
        occurredAt = event.occurredAt
        domain = event.domain
        entityId = event.entityId
        type = event.type
        traceId = event.traceId
        members = JSONMemberIndex(event.content.payload)
    }

    /// The whole payload, parsed again at each call; `.null` when it is not a JSON object.
    public var payload: JSONValue { members?.value ?? .null }

    /// A payload member, parsed, or nil.
    func member(_ key: String) -> JSONValue? { members?[key] }

    /// A payload string member, or nil.
    func string(_ key: String) -> String? { member(key)?.stringValue }

    /// A payload decimal-string member as money, or nil when absent or not a decimal.
    func money(_ key: String) -> Money? { string(key).flatMap { Money($0) } }

    /// A payload integer member, or nil when absent, fractional or out of range.
    func integer(_ key: String) -> Int64? { member(key)?.numberValue?.int64Value }

    /// The verb of `type`: `captured` for `payment.captured`.
    var verb: Substring { type.drop { $0 != "." }.dropFirst() }
}
