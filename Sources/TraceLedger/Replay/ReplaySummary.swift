/// What a replay did.
public struct ReplaySummary: Sendable {
    public var consumer: String
    public var sink: String
    public var dryRun: Bool
    /// The positions the replay covered.
    public var firstPosition: UInt64
    public var lastPosition: UInt64
    /// Events that matched the filters.
    public var matched = 0
    public var delivered = 0
    /// Deliveries that failed and were tried again.
    public var retried = 0
    /// Events parked as dead letters, and later events of their entities held back behind them.
    public var deadLettered = 0
    public var heldBack = 0
    /// With `dryRun`: how many events of each type would be sent.
    public var countsByType: [String: Int] = [:]
    public var seconds: Double = 0
    /// The consumer's checkpoint afterwards.
    public var checkpoint: UInt64 = 0
}

/// Where a running replay stands, for progress bars.
public struct ReplayProgress: Sendable {
    public let done: UInt64
    public let total: UInt64
    public let delivered: Int
    public let failed: Int
}
