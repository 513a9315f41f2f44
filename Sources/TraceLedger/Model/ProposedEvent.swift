/// A validated event waiting to be appended.
///
/// Build one with `EventDecoder` (from an NDJSON line or parts), which checks the envelope and the payload
/// against the schemas: a `ProposedEvent` is always valid.
public struct ProposedEvent: Sendable {
    public var content: EventContent
    /// When set, the append is refused unless the entity's stream is at exactly this version (0 = new).
    public var expectedVersion: UInt64?
    /// The ids that tie the event to an order: how it finds its order's trace when it has none.
    let orderReferences: OrderReferences

    init(content: EventContent, expectedVersion: UInt64?, orderReferences: OrderReferences) {
        self.content = content
        self.expectedVersion = expectedVersion
        self.orderReferences = orderReferences
    }

    /// The ids that tie the event to an order, its order's own first (the `orders` index is keyed by them).
    public var orderReferenceIds: [String] { orderReferences.ids }

    /// Whether the event arrived without a trace id: the append gives it its order's (`OrderIndex`).
    public var joinsOrderTrace: Bool { content.traceId.isEmpty }
}
