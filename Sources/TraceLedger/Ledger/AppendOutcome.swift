/// What appending one event did.
public struct AppendOutcome: Sendable, Equatable {
    public let eventId: EventID
    /// The event's position: new, or the original one for a duplicate.
    public let position: UInt64
    /// The entity's version after the event.
    public let streamVersion: UInt64
    /// True when the event was already in the ledger (identical) and nothing was written.
    public let isDuplicate: Bool
    /// The event's hash in the chain.
    public let hash: ChainHash
}
