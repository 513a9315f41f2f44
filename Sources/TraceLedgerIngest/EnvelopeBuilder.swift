import JSONKit
import TraceLedger

/// Builds ledger envelopes from parts and validates them like any other event (`EventDecoder`), so what a
/// mapping produces meets the same schemas as what a client sends. The payload's bytes are spliced in
/// unchanged.
struct EnvelopeBuilder: Sendable {
    let decoder: EventDecoder

    /// The envelope members, in the order of docs (eventId first).
    struct Parts {
        var eventId: EventID
        var traceId: String?
        var type: String
        var entityId: String
        var origin: String
        var actor: String
        var occurredAt: String
    }

    func event(_ parts: Parts, payload: [UInt8]) throws(LedgerError) -> ProposedEvent {
        var envelope: JSONObject = [
            "eventId": .string(parts.eventId.description),
            "domain": .string(String(parts.type.prefix { $0 != "." })),
            "entityId": .string(parts.entityId), "type": .string(parts.type), "origin": .string(parts.origin),
            "actor": .string(parts.actor), "occurredAt": .string(parts.occurredAt),
        ]
        if let traceId = parts.traceId { envelope["traceId"] = .string(traceId) }
        var bytes = JSONValue.object(envelope).serializedBytes()
        bytes.removeLast()  // the closing brace: the payload goes last, as received
        bytes += Array(#","payload":"#.utf8) + payload + [UInt8(ascii: "}")]
        return try decoder.decode(String(decoding: bytes, as: UTF8.self))
    }
}
