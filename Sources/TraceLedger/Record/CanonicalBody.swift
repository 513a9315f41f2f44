/// The canonical bytes of an event: the exact content the hash chain covers and, compressed, what is stored.
///
/// Layout (see docs/record-format.md): eventId (16) · occurredAt (i64 BE) · streamVersion (u64 BE) ·
/// flags (bit 0 correlationId, bit 1 causationId) · domain, entityId, type, origin, actor, traceId
/// [, correlationId] as varint-length UTF-8 · [causationId (16)] · payload bytes to the end.
enum CanonicalBody {
    private static let hasCorrelation: UInt8 = 1
    private static let hasCausation: UInt8 = 2

    static func encode(_ content: EventContent, streamVersion: UInt64) -> [UInt8] {
        var body: [UInt8] = []
        encode(content, streamVersion: streamVersion, into: &body)
        return body
    }

    /// The same into `body`, replacing what it held.
    static func encode(_ content: EventContent, streamVersion: UInt64, into body: inout [UInt8]) {
        var writer = ByteWriter(reusing: &body)
        writer.bytes.reserveCapacity(128 + content.payload.count)
        writer.append(content.eventId)
        writer.append(content.occurredAt.nanosecondsSinceEpoch)
        writer.append(streamVersion)
        var flags: UInt8 = 0
        if content.correlationId != nil { flags |= hasCorrelation }
        if content.causationId != nil { flags |= hasCausation }
        writer.bytes.append(flags)
        writer.appendString(content.domain.rawValue)
        writer.appendString(content.entityId)
        writer.appendString(content.type)
        writer.appendString(content.origin)
        writer.appendString(content.actor)
        writer.appendString(content.traceId)
        if let correlationId = content.correlationId { writer.appendString(correlationId) }
        if let causationId = content.causationId { writer.append(causationId) }
        writer.append(contentsOf: content.payload)
        writer.finish(into: &body)
    }

    /// The type and payload of a canonical body, read without making the rest of the event (what `verify`
    /// needs of every record: whether it is an erasure, and what it erased).
    static func typeAndPayload(of body: UnsafeRawBufferPointer) throws(LedgerError) -> (
        type: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) {
        var reader = ByteReader(body)
        _ = try reader.take(16 + 8 + 8)
        let flags = try reader.byte()
        _ = try readDomain(&reader)
        _ = try reader.take(try reader.varint())  // entityId
        let type = try reader.take(try reader.varint())
        for _ in 0..<3 { _ = try reader.take(try reader.varint()) }  // origin, actor, traceId
        if flags & hasCorrelation != 0 { _ = try reader.take(try reader.varint()) }
        if flags & hasCausation != 0 { _ = try reader.take(16) }
        return (type, try reader.take(reader.remaining))
    }

    static func decode(_ body: UnsafeRawBufferPointer) throws(LedgerError) -> (
        EventContent, streamVersion: UInt64
    ) {
        var reader = ByteReader(body)
        let eventId = EventID(bytes: try reader.take(16))
        let occurredAt = Timestamp(nanosecondsSinceEpoch: try reader.int64())
        let streamVersion = try reader.uint64()
        let flags = try reader.byte()
        let domain = try readDomain(&reader)
        let entityId = try reader.string()
        let type = try reader.string()
        let origin = try reader.string()
        let actor = try reader.string()
        let traceId = try reader.string()
        let correlationId = flags & hasCorrelation != 0 ? try reader.string() : nil
        let causationId = flags & hasCausation != 0 ? EventID(bytes: try reader.take(16)) : nil
        let payload = Array(try reader.take(reader.remaining))
        let content = EventContent(
            eventId: eventId, traceId: traceId, correlationId: correlationId, causationId: causationId,
            domain: domain, entityId: entityId, type: type, origin: origin, actor: actor,
            occurredAt: occurredAt,
            payload: payload)
        return (content, streamVersion)
    }

    /// Each domain with its name as stored, indexed by the name's first byte (every domain's first letter
    /// differs, which building the table checks).
    private static let domainsByInitial: [(name: [UInt8], domain: Domain)?] = {
        var table: [(name: [UInt8], domain: Domain)?] = Array(repeating: nil, count: 256)
        for domain in Domain.allCases {
            let name = Array(domain.rawValue.utf8)
            precondition(table[Int(name[0])] == nil, "two domains begin with the same letter")
            table[Int(name[0])] = (name, domain)
        }
        return table
    }()

    private static func readDomain(_ reader: inout ByteReader) throws(LedgerError) -> Domain {
        let name = try reader.take(try reader.varint())
        guard let domain = domain(named: name) else {
            throw LedgerError(
                .corrupted, "a record names an unknown domain \"\(String(decoding: name, as: UTF8.self))\"")
        }
        return domain
    }

    /// The domain a stored name spells, without making a String (`Domain(rawValue:)` is a string switch, a
    /// measurable part of a full scan).
    private static func domain(named name: UnsafeRawBufferPointer) -> Domain? {
        guard let initial = name.first, let candidate = domainsByInitial[Int(initial)],
            candidate.name.elementsEqual(name)
        else { return nil }
        return candidate.domain
    }
}
