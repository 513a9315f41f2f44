/// A validated event waiting to be appended.
///
/// Build one with `EventDecoder` (from an NDJSON line or parts), which checks the envelope and the payload
/// against the schemas: a `ProposedEvent` is always valid.
public struct ProposedEvent: Sendable {
    public var content: EventContent
    /// When set, the append is refused unless the entity's stream is at exactly this version (0 = new).
    public var expectedVersion: UInt64?

    init(content: EventContent, expectedVersion: UInt64?) {
        self.content = content
        self.expectedVersion = expectedVersion
    }
}
