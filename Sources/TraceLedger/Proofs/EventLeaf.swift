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
        var out: [UInt8] = []
        write(
            content: event.content, position: event.position, recordedAt: event.recordedAt,
            streamVersion: event.streamVersion,
            payloadDigestHex: event.erasure.map { Array($0.payloadDigest.utf8) },
            into: &out)
        return out
    }

    /// Writes the leaf of an event into `out`, replacing what it held, straight into bytes: the appender makes
    /// one per event into a buffer it keeps, and building it from strings was a sixth of the writer's time
    /// (docs/performance.md). `payloadDigestHex` is the payload's hex digest when the caller has it (an
    /// erasure kept it, an envelope's payload was hashed); nil computes it from `content.payload`.
    static func write(
        content: EventContent, position: UInt64, recordedAt: Timestamp, streamVersion: UInt64,
        payloadDigestHex: [UInt8]?, into out: inout [UInt8]
    ) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(
            200 + content.traceId.utf8.count + content.entityId.utf8.count + content.actor.utf8.count)
        func line(_ text: String) {
            out.append(contentsOf: text.utf8)
            out.append(0x0A)
        }
        line(version)
        RecordedEvent.appendDecimal(position, to: &out)
        out.append(0x0A)
        content.eventId.append(to: &out)
        out.append(0x0A)
        line(content.traceId)
        line(content.correlationId ?? "")
        content.causationId?.append(to: &out)
        out.append(0x0A)
        line(content.domain.rawValue)
        line(content.entityId)
        line(content.type)
        line(content.origin)
        line(content.actor)
        RFC3339.append(content.occurredAt.nanosecondsSinceEpoch, to: &out)
        out.append(0x0A)
        RFC3339.append(recordedAt.nanosecondsSinceEpoch, to: &out)
        out.append(0x0A)
        RecordedEvent.appendDecimal(streamVersion, to: &out)
        out.append(0x0A)
        if let payloadDigestHex {
            out.append(contentsOf: payloadDigestHex)
        } else {
            appendDigestHex(of: content.payload, to: &out)
        }
        out.append(0x0A)
    }

    /// The leaf hash of `event`: SHA-256(0x00 ‖ leaf).
    public static func hash(of event: RecordedEvent) -> RFC6962.Hash { RFC6962.leafHash(bytes(of: event)) }

    /// The lowercase hex SHA-256 of a payload.
    static func digest(of payload: [UInt8]) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        appendDigestHex(of: payload, to: &hex)
        return String(decoding: hex, as: UTF8.self)
    }

    /// Appends the lowercase hex SHA-256 of a payload to `out`.
    static func appendDigestHex(of payload: [UInt8], to out: inout [UInt8]) {
        for byte in SHA256.hash(data: payload) {
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0x0F))
        }
    }
}
