import JSONKit
import LMDBKit

/// What `traceledger erase customer` did.
///
/// Sendable: plain values.
public struct ErasureSummary: Sendable, Equatable {
    /// The `customer.erased` event.
    public let erasurePosition: UInt64
    /// The positions whose payloads were erased now (those erased before are not listed again).
    public let erasedPositions: [UInt64]
    public let rawBodiesErased: Int
}

/// The right to be forgotten (GDPR Art. 17) for one customer, in one write transaction: the payloads of the
/// customer's events become tombstones, the raw webhook bodies that named the customer (its own deliveries and
/// those of its orders) are deleted, and a `customer.erased` event records who, why and which positions.
///
/// Positions, envelopes, stored chain hashes, Merkle leaves — which hold the payloads' digests — and so every
/// root, checkpoint and proof stay as they were; `verify` accepts an erased record when an erasure event names
/// it. Orders, payments and invoices keep their payloads: they are the books a merchant must keep, and name the
/// customer only by id. LMDB does not zero freed pages: the bytes leave the file with `traceledger compact`.
enum CustomerErasure {
    static let eventType = "customer.erased"

    /// The positions an erasure event's payload names.
    static func erasedPositions(in payload: [UInt8]) -> [UInt64] {
        guard let document = try? payload.withUnsafeBytes({ try JSONParser.parse($0) }) else { return [] }
        return (document.value["erasedPositions"]?.arrayValue ?? []).compactMap {
            $0.numberValue?.int64Value.map(UInt64.init)
        }
    }

    static func erase(
        customer id: String, actor: String, reason: String, in transaction: LedgerWriteTransaction
    )
        throws -> ErasureSummary
    {
        let snapshot = transaction.snapshot
        let stream = StreamKey(domain: .customer, entityId: id)
        let events = try snapshot.history(of: stream)
        guard let first = events.first else {
            throw LedgerError(
                .notFound, "no events for customer \(id); check the id (`traceledger history customer ID`)")
        }
        let toErase = events.filter { $0.erasure == nil && $0.type != eventType }
        // The raw bodies that carry the customer's data: its own deliveries, and those of the events that name
        // it (a Shopify order's body holds the buyer's e-mail and address).
        var digests = Set(try toErase.compactMap { try evidenceDigest(of: $0) })
        let head = try snapshot.head().position
        if head > 0 {
            try snapshot.forEachEvent(from: 1, through: head) { event in
                guard event.domain != .customer, event.erasure == nil,
                    let payload = try? event.payload.withUnsafeBytes({ try JSONParser.parse($0) }).value,
                    payload["customerId"]?.stringValue == id
                        || payload["stripeCustomerId"]?.stringValue == id,
                    let digest = payload[DeliveryEvidence.payloadKey]?["sha256"]?.stringValue
                else { return true }
                digests.insert(digest)
                return true
            }
        }
        let positions = toErase.map(\.position)
        let payload = JSONValue.object([
            "erasedPositions": .array(positions.map { .integer($0) }),
            "rawBodiesErased": .integer(digests.count),
            "reason": .string(reason), "forgotten": true,
        ]).serialized()
        let record = try Ledger.ledgerOperation(
            type: eventType, entityId: id, traceId: first.traceId, actor: actor, payload: payload)
        guard let outcome = try transaction.append([record]).first else {
            throw LedgerError(.storage, "the erasure event was not appended")
        }
        // The erasure's time is its event's: a replica applying the event writes the same tombstones.
        let now = record.content.occurredAt
        try tombstone(
            toErase, by: actor, reason: reason, at: now, erasurePosition: outcome.position, in: transaction)
        for digest in digests {
            try DeliveryEvidence.erase(
                digest: digest, by: actor, at: now, erasurePosition: outcome.position, in: transaction)
        }
        return ErasureSummary(
            erasurePosition: outcome.position, erasedPositions: positions, rawBodiesErased: digests.count)
    }

    /// Replaces the payloads of `events` by tombstones naming the erasure (position, stored hash and the
    /// Merkle leaf's payload digest stay).
    static func tombstone(
        _ events: [RecordedEvent], by actor: String, reason: String, at time: Timestamp,
        erasurePosition: UInt64,
        in transaction: LedgerWriteTransaction
    ) throws {
        let snapshot = transaction.snapshot
        let dictionary = try snapshot.dictionaries.current(in: snapshot)
        for event in events {
            let erasure = Erasure(
                payloadDigest: EventLeaf.digest(of: event.content.payload), erasedAt: time, erasedBy: actor,
                reason: reason, erasurePosition: erasurePosition)
            var content = event.content
            content.payload = erasure.tombstone
            let body = CanonicalBody.encode(content, streamVersion: event.streamVersion)
            let stored = try snapshot.codec.encode(
                body: body, recordedAt: event.recordedAt, hash: event.hash, dictionary: dictionary,
                erased: true)
            try transaction.put(stored, at: event.position.bigEndianBytes, in: transaction.databases.events)
        }
    }

    /// On a replica, the `customer.erased` event it just applied: the positions it names get the tombstones the
    /// primary wrote (same erasure time, actor and reason). The raw bodies are the primary's alone: a replica
    /// holds none.
    static func applyOnReplica(_ erasure: RecordedEvent, in transaction: LedgerWriteTransaction) throws {
        let positions = erasedPositions(in: erasure.content.payload)
        let reason =
            (try? erasure.content.payload.withUnsafeBytes { try JSONParser.parse($0) })?.value["reason"]?
            .stringValue
            ?? ""
        let events = try positions.compactMap { try transaction.snapshot.event(at: $0) }.filter {
            $0.erasure == nil
        }
        try tombstone(
            events, by: erasure.content.actor, reason: reason, at: erasure.content.occurredAt,
            erasurePosition: erasure.position, in: transaction)
    }

    private static func evidenceDigest(of event: RecordedEvent) throws -> String? {
        let payload = try event.payload.withUnsafeBytes { try JSONParser.parse($0) }.value
        return payload[DeliveryEvidence.payloadKey]?["sha256"]?.stringValue
    }
}

extension Ledger {
    /// Erases a customer's personal data (see `CustomerErasure`), recording the erasure as a `customer.erased`
    /// event by `actor` with `reason`.
    ///
    /// - Throws: `LedgerError` `.notFound` when the customer has no events.
    public func erase(customer id: String, actor: String, reason: String) async throws -> ErasureSummary {
        try await write { try CustomerErasure.erase(customer: id, actor: actor, reason: reason, in: $0) }
    }
}
