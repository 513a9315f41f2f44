import Crypto

/// The RFC 6962 leaf of an event: what the Merkle tree commits to, recomputable by an outsider from the
/// event's `--json` envelope alone (docs/record-format.md, "Merkle tree").
///
/// UTF-8 text, one field per line, each line ending in `\n`:
///
/// ```text
/// traceledger-leaf/1
/// <position> <eventId> <traceId> <correlationId or empty> <causationId or empty> <domain> <entityId>
/// <type> <origin> <actor> <occurredAt> <recordedAt> <streamVersion> <SHA-256 of the payload's bytes, hex>
/// ```
///
/// (fourteen lines after the first, in that order; the times as the envelope prints them). No field can
/// hold a line break: identifiers refuse control characters. The payload enters by its digest, so an
/// erased payload's bytes can go while the leaf, the tree and every proof stay as they were.
public enum EventLeaf {
    public static let version = "traceledger-leaf/1"

    /// The leaf's bytes.
    public static func bytes(of event: RecordedEvent) -> [UInt8] {
        bytes(
            content: event.content, position: event.position, recordedAt: event.recordedAt,
            streamVersion: event.streamVersion,
            payloadDigest: event.erasure?.payloadDigest ?? digest(of: event.content.payload))
    }

    /// The leaf of an event about to be written.
    static func bytes(
        content: EventContent, position: UInt64, recordedAt: Timestamp, streamVersion: UInt64,
        payloadDigest: String
    ) -> [UInt8] {
        let fields = [
            version, String(position), content.eventId.description, content.traceId,
            content.correlationId ?? "",
            content.causationId?.description ?? "", content.domain.rawValue, content.entityId, content.type,
            content.origin, content.actor, content.occurredAt.rfc3339, recordedAt.rfc3339,
            String(streamVersion),
            payloadDigest,
        ]
        var out: [UInt8] = []
        out.reserveCapacity(320)
        for field in fields {
            out.append(contentsOf: field.utf8)
            out.append(0x0A)
        }
        return out
    }

    /// The leaf hash of `event`: SHA-256(0x00 ‖ leaf).
    public static func hash(of event: RecordedEvent) -> RFC6962.Hash { RFC6962.leafHash(bytes(of: event)) }

    /// The lowercase hex SHA-256 of a payload.
    static func digest(of payload: [UInt8]) -> String { lowercaseHex(SHA256.hash(data: payload)) }
}
