import JSONKit

extension RecordedEvent {
    /// The event as one line of JSON: the envelope with what the ledger assigned, and the payload's bytes
    /// exactly as received (so 64-bit ids and decimals come back unchanged).
    ///
    /// Fields: position, eventId, traceId, [correlationId], [causationId], domain, entityId, type, origin,
    /// actor, occurredAt, recordedAt, streamVersion, hash, payload.
    public func envelopeJSON() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(320 + content.payload.count)
        func field(_ name: String, _ text: String) {
            out.append(contentsOf: ",\"\(name)\":".utf8)
            JSONString.appendQuoted(text, to: &out)
        }
        out.append(contentsOf: "{\"position\":\(position)".utf8)
        field("eventId", content.eventId.description)
        field("traceId", content.traceId)
        if let correlationId = content.correlationId { field("correlationId", correlationId) }
        if let causationId = content.causationId { field("causationId", causationId.description) }
        field("domain", content.domain.rawValue)
        field("entityId", content.entityId)
        field("type", content.type)
        field("origin", content.origin)
        field("actor", content.actor)
        field("occurredAt", content.occurredAt.rfc3339)
        field("recordedAt", recordedAt.rfc3339)
        out.append(contentsOf: ",\"streamVersion\":\(streamVersion)".utf8)
        field("hash", hash.description)
        out.append(contentsOf: ",\"payload\":".utf8)
        out.append(contentsOf: content.payload)
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
