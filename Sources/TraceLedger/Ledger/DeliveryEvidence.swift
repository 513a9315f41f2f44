import Crypto
import JSONKit
import LMDBKit
import ZstdKit

/// The raw body a provider's delivery arrived with, kept byte-exact beside the events mapped from it: the
/// evidence an auditor asks for ("show me what Stripe actually sent").
///
/// The events carry the body's SHA-256 in `payload.evidence.sha256`, so the hash chain commits to the body and
/// a body that was altered in storage no longer matches; the body itself lives in the `deliveries` database,
/// stored once however many events or redeliveries name it.
public enum DeliveryEvidence {
    /// The payload member mapped events describe their delivery in: `{"provider", "topic", "deliveryId",
    /// "sha256"}`.
    public static let payloadKey = "evidence"

    /// The lowercase hex SHA-256 of `body`, as events name it.
    public static func digest(of body: [UInt8]) -> String {
        lowercaseHex(SHA256.hash(data: body))
    }

    static func key(ofDigest digest: String) -> [UInt8]? {
        let hex = Array(digest.utf8)
        guard hex.count == 64 else { return nil }
        var key: [UInt8] = []
        key.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = EventID.hexValue(hex[index]), let low = EventID.hexValue(hex[index + 1]) else {
                return nil
            }
            key.append(high << 4 | low)
        }
        return key
    }
}

extension LedgerWriteTransaction {
    /// Appends the events mapped from one delivery with its raw body: the body is kept when the events are,
    /// and both or neither land.
    ///
    /// A delivery is recorded once: when the first event's id is in the ledger already (a redelivery, mapped
    /// again perhaps with another time or after an upgrade), nothing is written and the outcomes are those
    /// of the events recorded then, each a duplicate.
    public func appendDelivery(_ events: [ProposedEvent], evidence body: [UInt8]) throws -> [AppendOutcome] {
        guard let first = events.first else {
            throw LedgerError(.invalidEvent, "the delivery maps to no events")
        }
        if try snapshot.position(ofEvent: first.content.eventId) != nil {
            return try events.compactMap { event in
                try snapshot.event(withId: event.content.eventId).map {
                    AppendOutcome(
                        eventId: $0.eventId, position: $0.position, streamVersion: $0.streamVersion,
                        isDuplicate: true, hash: $0.hash)
                }
            }
        }
        try storeEvidence(body)
        return try append(events)
    }

    /// Stores `body` under its digest (once: a redelivery finds it there) and returns the digest.
    @discardableResult
    public func storeEvidence(_ body: [UInt8]) throws -> String {
        let digest = DeliveryEvidence.digest(of: body)
        let key = DeliveryEvidence.key(ofDigest: digest)!
        // Stored once; an erased body is never stored again under its digest.
        if try transaction.value(in: databases.deliveries, key: key) != nil { return digest }
        var value = UInt32(body.count).bigEndianBytes
        do {
            try body.withUnsafeBytes { try ZstdCodec().compress($0, appendingTo: &value) }
        } catch {
            throw LedgerError(.storage, "compressing a delivery body failed: \(error)")
        }
        try put(value, at: key, in: databases.deliveries)
        return digest
    }
}

extension DeliveryEvidence {
    /// The length an erased body's entry carries instead of a body's: the rest of the entry says who erased it.
    static let erasedMarker: UInt32 = .max

    /// Replaces the body stored under `digest` by a note of its erasure (an absent body is noted too, so
    /// nothing can be stored under the digest again).
    static func erase(
        digest: String, by actor: String, at time: Timestamp, erasurePosition: UInt64,
        in transaction: LedgerWriteTransaction
    ) throws {
        guard let key = key(ofDigest: digest) else { return }
        let note = JSONValue.object([
            "erasedAt": .string(time.rfc3339), "erasedBy": .string(actor),
            "erasurePosition": .integer(erasurePosition),
        ]).serializedBytes()
        try transaction.put(erasedMarker.bigEndianBytes + note, at: key, in: transaction.databases.deliveries)
    }
}

extension LedgerSnapshot {
    /// The raw body the event was mapped from, byte-exact; nil for an event that names none.
    ///
    /// - Throws: `LedgerError` `.notFound` when the named body is missing, `.corrupted` when the stored body no
    ///   longer matches its digest.
    public func evidence(of event: RecordedEvent) throws -> [UInt8]? {
        if let erasure = event.erasure {
            throw LedgerError(
                .notFound,
                "the event at position \(event.position) was erased (\(erasure.erasedAt.rfc3339) by \(erasure.erasedBy): "
                    + "\(erasure.reason)); its payload and raw body are gone, their digests remain")
        }
        let payload = try event.payload.withUnsafeBytes { try JSONParser.parse($0) }.value
        guard let digest = payload[DeliveryEvidence.payloadKey]?["sha256"]?.stringValue else { return nil }
        guard let key = DeliveryEvidence.key(ofDigest: digest),
            let stored = try transaction.value(in: databases.deliveries, key: key), stored.count >= 4
        else {
            throw LedgerError(
                .notFound,
                "the body of the delivery the event at position \(event.position) was mapped from "
                    + "(sha256 \(digest)) is not in the store; it may have been restored from an older backup"
            )
        }
        let marker = UInt32(bigEndianBytes: stored[0..<4])
        if marker == DeliveryEvidence.erasedMarker {
            let note = (try? Array(stored[4...]).withUnsafeBytes { try JSONParser.parse($0) })?.value
            throw LedgerError(
                .notFound,
                "the body of the delivery the event at position \(event.position) was mapped from was erased "
                    + "(\(note?["erasedAt"]?.stringValue ?? "?") by \(note?["erasedBy"]?.stringValue ?? "?"), erasure event "
                    + "at position \(note?["erasurePosition"]?.numberValue?.literal ?? "?")); its digest \(digest) remains"
            )
        }
        let length = Int(marker)
        var body: [UInt8] = []
        do {
            try stored[4...].withUnsafeBytes {
                try ZstdCodec().decompress($0, originalSize: length, appendingTo: &body)
            }
        } catch {
            throw LedgerError(.corrupted, "the stored body with sha256 \(digest) cannot be read: \(error)")
        }
        guard DeliveryEvidence.digest(of: body) == digest else {
            throw LedgerError(
                .corrupted,
                "the stored body with sha256 \(digest) no longer matches its digest: it was altered")
        }
        return body
    }
}

extension Ledger {
    /// Appends the events mapped from one delivery, with its raw body, atomically
    /// (`LedgerWriteTransaction.appendDelivery(_:evidence:)`).
    public func append(_ events: [ProposedEvent], evidence body: [UInt8]) async throws -> [AppendOutcome] {
        try await write { try $0.appendDelivery(events, evidence: body) }
    }

    /// The raw body of the delivery the event at `position` was mapped from; nil when it names none.
    ///
    /// - Throws: `LedgerError` `.notFound` when there is no event at `position`.
    public func evidence(ofEventAt position: UInt64) throws -> [UInt8]? {
        try read { snapshot in
            guard let event = try snapshot.event(at: position) else {
                throw LedgerError(
                    .notFound,
                    "there is no event at position \(position); the head is \(try snapshot.head().position)")
            }
            return try snapshot.evidence(of: event)
        }
    }
}
