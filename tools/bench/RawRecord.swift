import TraceLedger

/// The raw LMDB store's record: the event's fields as they are, no hash, no compression, no validation.
///
/// eventId (16) · occurredAt (i64 BE) · recordedAt (i64 BE) · domain, entityId, type, origin, actor, traceId as
/// u16 length + UTF-8 · payload to the end.
enum RawRecord {
    static func encode(_ content: EventContent, recordedAt: Int64, into bytes: inout [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        appendBigEndian(content.eventId.high, to: &bytes)
        appendBigEndian(content.eventId.low, to: &bytes)
        appendBigEndian(UInt64(bitPattern: content.occurredAt.nanosecondsSinceEpoch), to: &bytes)
        appendBigEndian(UInt64(bitPattern: recordedAt), to: &bytes)
        for text in [
            content.domain.rawValue, content.entityId, content.type, content.origin, content.actor,
            content.traceId,
        ] {
            let count = text.utf8.count
            bytes.append(UInt8(count >> 8))
            bytes.append(UInt8(count & 0xFF))
            bytes.append(contentsOf: text.utf8)
        }
        bytes.append(contentsOf: content.payload)
    }

    static func decode(_ raw: UnsafeRawBufferPointer, position: UInt64) -> DecodedEvent {
        var offset = 0
        func u64() -> UInt64 {
            var value: UInt64 = 0
            for i in offset..<offset + 8 { value = value << 8 | UInt64(raw[i]) }
            offset += 8
            return value
        }
        func text() -> String {
            let count = Int(raw[offset]) << 8 | Int(raw[offset + 1])
            offset += 2
            let string = String(
                decoding: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + count]), as: UTF8.self)
            offset += count
            return string
        }
        let high = u64()
        let low = u64()
        let occurredAt = Int64(bitPattern: u64())
        let recordedAt = Int64(bitPattern: u64())
        let domain = text()
        let entityId = text()
        let type = text()
        let origin = text()
        let actor = text()
        let traceId = text()
        return DecodedEvent(
            position: position, eventId: EventID(high: high, low: low), traceId: traceId, domain: domain,
            entityId: entityId, type: type, origin: origin, actor: actor, occurredAt: occurredAt,
            recordedAt: recordedAt, payload: Array(UnsafeRawBufferPointer(rebasing: raw[offset...])))
    }

    static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
