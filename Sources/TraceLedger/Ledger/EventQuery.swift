/// Which events `Ledger.events(matching:)` returns: a range of the log, narrowed by domain, type and actor.
public struct EventQuery: Sendable {
    /// One end of a range: a position, or a time matched against recordedAt (what the ledger knew then).
    public enum Bound: Sendable, Equatable {
        case position(UInt64)
        case time(Timestamp)
    }

    /// The first event: a position (inclusive) or a time (the first event recorded at or after it).
    public var from: Bound?
    /// The last event: a position (inclusive) or a time (events recorded before it).
    public var until: Bound?
    public var domains: Set<Domain>?
    public var types: Set<String>?
    public var actor: String?
    /// Only events from these origins (systems), e.g. `shopify`.
    public var origins: Set<String>?
    /// At most this many events.
    public var limit: Int?

    public init(
        from: Bound? = nil, until: Bound? = nil, domains: Set<Domain>? = nil, types: Set<String>? = nil,
        actor: String? = nil, origins: Set<String>? = nil, limit: Int? = nil
    ) {
        self.from = from
        self.until = until
        self.domains = domains
        self.types = types
        self.actor = actor
        self.origins = origins
        self.limit = limit
    }

    /// Whether `event` passes the domain, type, actor and origin filters (not the range).
    public func matches(_ event: RecordedEvent) -> Bool {
        if let domains, !domains.contains(event.domain) { return false }
        if let types, !types.contains(event.type) { return false }
        if let actor, event.actor != actor { return false }
        if let origins, !origins.contains(event.origin) { return false }
        return true
    }
}
