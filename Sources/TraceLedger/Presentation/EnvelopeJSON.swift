import JSONKit

extension RecordedEvent {
    /// The event as one line of JSON: the envelope with what the ledger assigned, and the payload's bytes
    /// exactly as received (so 64-bit ids and decimals come back unchanged).
    ///
    /// Fields: position, eventId, traceId, [correlationId], [causationId], domain, entityId, type, origin,
    /// actor, occurredAt, recordedAt, streamVersion, hash, payload.
    public func envelopeJSON() -> String {
        var out: [UInt8] = []
        appendEnvelopeJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `envelopeJSON()`'s bytes to `out`, for sinks that write many events into one buffer.
    public func appendEnvelopeJSON(to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 400 + content.payload.count)
        func name(_ name: StaticString) {
            out.append(
                contentsOf: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        func field(_ key: StaticString, _ text: String) {
            name(key)
            JSONString.appendQuoted(text, to: &out)
        }
        func quoted(_ key: StaticString, _ write: (inout [UInt8]) -> Void) {
            name(key)
            out.append(UInt8(ascii: "\""))
            write(&out)
            out.append(UInt8(ascii: "\""))
        }
        name("{\"position\":")
        Self.appendDecimal(position, to: &out)
        quoted(",\"eventId\":") { content.eventId.append(to: &$0) }
        field(",\"traceId\":", content.traceId)
        if let correlationId = content.correlationId { field(",\"correlationId\":", correlationId) }
        if let causationId = content.causationId {
            quoted(",\"causationId\":") { causationId.append(to: &$0) }
        }
        field(",\"domain\":", content.domain.rawValue)
        field(",\"entityId\":", content.entityId)
        field(",\"type\":", content.type)
        field(",\"origin\":", content.origin)
        field(",\"actor\":", content.actor)
        quoted(",\"occurredAt\":") { RFC3339.append(content.occurredAt.nanosecondsSinceEpoch, to: &$0) }
        quoted(",\"recordedAt\":") { RFC3339.append(recordedAt.nanosecondsSinceEpoch, to: &$0) }
        name(",\"streamVersion\":")
        Self.appendDecimal(streamVersion, to: &out)
        quoted(",\"hash\":") { hash.append(to: &$0) }
        name(",\"payload\":")
        out.append(contentsOf: content.payload)
        out.append(UInt8(ascii: "}"))
    }

    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            var remaining = value
            repeat {
                index -= 1
                buffer[index] = UInt8(48 + remaining % 10)
                remaining /= 10
            } while remaining > 0
            out.append(contentsOf: buffer[index...])
        }
    }
}
