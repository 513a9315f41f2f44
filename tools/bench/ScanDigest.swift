import TraceLedger

/// What a full scan read, folded from every decoded field but the store's own `recordedAt`: each store's scan
/// adds every event it decodes, so none can skip making a field it never looks at (the optimiser removes a
/// decoded string nobody reads), and the three stores' digests must be equal.
///
/// Each text adds its length and last byte, the payload its length and middle byte: cheap beside the decoding,
/// and enough to tell stores apart that decoded different events or fields.
struct ScanDigest: Equatable, CustomStringConvertible {
    private(set) var events = 0
    private(set) var value: UInt64 = 0

    mutating func add(
        eventId: EventID, domain: String, entityId: String, type: String, origin: String, actor: String,
        traceId: String, occurredAt: Int64, payload: [UInt8]
    ) {
        events += 1
        mix(eventId.high ^ eventId.low.byteSwapped ^ UInt64(bitPattern: occurredAt))
        mix(domain)
        mix(entityId)
        mix(type)
        mix(origin)
        mix(actor)
        mix(traceId)
        mix(UInt64(payload.count) << 8 | UInt64(payload.isEmpty ? 0 : payload[payload.count / 2]))
    }

    mutating func add(_ event: DecodedEvent) {
        add(
            eventId: event.eventId, domain: event.domain, entityId: event.entityId, type: event.type,
            origin: event.origin, actor: event.actor, traceId: event.traceId, occurredAt: event.occurredAt,
            payload: event.payload)
    }

    mutating func add(_ event: borrowing RecordedEvent) {
        let content = event.content
        add(
            eventId: content.eventId, domain: content.domain.rawValue, entityId: content.entityId,
            type: content.type, origin: content.origin, actor: content.actor, traceId: content.traceId,
            occurredAt: content.occurredAt.nanosecondsSinceEpoch, payload: content.payload)
    }

    private mutating func mix(_ text: String) {
        mix(UInt64(text.utf8.count) << 8 | UInt64(text.utf8.last ?? 0))
    }

    /// Order-dependent: the same events in another order give another value.
    private mutating func mix(_ word: UInt64) {
        value = (value ^ word) &* 0x100_0000_01B3 &+ 0x9E37_79B9_7F4A_7C15
    }

    var description: String { "\(events) events, digest \(String(value, radix: 16))" }
}
