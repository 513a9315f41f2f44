/// An event a projection could not apply: kept with its position and reason, counted, and shown by
/// `reconcile`. The fold goes on without it.
///
/// Sendable: plain values.
public struct ProjectionAnomaly: Sendable, Equatable {
    /// The projection that could not apply the event.
    public let projection: Domain
    public let position: UInt64
    /// The projection's entity the event was meant for.
    public let entityId: String
    public let type: String
    public let traceId: String
    /// Why, in one line: "refund of 80.00 is larger than the 59.20 captured and not yet refunded".
    public let reason: String

    func encoded() -> [UInt8] {
        var writer = StateWriter()
        writer.write(entityId)
        writer.write(type)
        writer.write(traceId)
        writer.write(reason)
        return writer.bytes
    }

    init(
        projection: Domain, position: UInt64, entityId: String, type: String, traceId: String, reason: String
    ) {
        self.projection = projection
        self.position = position
        self.entityId = entityId
        self.type = type
        self.traceId = traceId
        self.reason = reason
    }

    init(projection: Domain, position: UInt64, decoding bytes: UnsafeRawBufferPointer) throws {
        var reader = StateReader(bytes)
        self.init(
            projection: projection, position: position, entityId: try reader.string(),
            type: try reader.string(),
            traceId: try reader.string(), reason: try reader.string())
    }
}
