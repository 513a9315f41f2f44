/// What a replay sends and how.
public struct ReplayOptions: Sendable {
    /// The consumer whose checkpoint and dead letters this replay uses, e.g. `erp-feed`.
    public var consumer: String
    /// Where to start: a position or a time (the first event recorded at or after it). Without it the
    /// consumer continues after its checkpoint.
    public var from: EventQuery.Bound?
    /// Where to stop (inclusive position, exclusive time); default: the head when the replay starts.
    public var until: EventQuery.Bound?
    /// Only these domains (default: every domain but `ledger`, the tool's own operations).
    public var domains: Set<Domain>?
    public var types: Set<String>?
    /// Only this trace.
    public var traceId: String?
    /// Count what would be sent, send nothing, move no checkpoint.
    public var dryRun = false
    /// At most this many events per second.
    public var rate: Double?
    /// Entities delivered in parallel; each entity's events stay in order.
    public var concurrency = 1
    /// Events per delivery where the sink batches (HTTP `--batch`).
    public var batchSize = 1
    /// Attempts per delivery before it becomes a dead letter.
    public var maximumAttempts = 5
    /// Retry backoff: full jitter over base × 2^attempt, capped.
    public var retry = RetryPolicy()
    /// Start from position 1 regardless of the checkpoint.
    public var restart = false
    /// After the range, keep delivering new events as they are committed, until `ReplayStop` says stop
    /// (incompatible with `until`, `traceId` and `dryRun`).
    public var follow = false
    /// Who started the replay, recorded in the ledger (`ledger.replay_started`).
    public var actor: String

    public init(consumer: String, actor: String) {
        self.consumer = consumer
        self.actor = actor
    }

    func includes(_ event: RecordedEvent) -> Bool {
        if let domains {
            if !domains.contains(event.domain) { return false }
        } else if event.domain == .ledger {
            return false
        }
        if let types, !types.contains(event.type) { return false }
        if let traceId, event.traceId != traceId { return false }
        return true
    }
}

/// Exponential backoff with full jitter (a random wait between 0 and min(cap, base × 2^attempt)).
public struct RetryPolicy: Sendable {
    public var base: Duration = .milliseconds(200)
    public var cap: Duration = .seconds(30)

    public init(base: Duration = .milliseconds(200), cap: Duration = .seconds(30)) {
        self.base = base
        self.cap = cap
    }

    /// How long to wait before attempt `attempt + 1`, honouring a Retry-After the downstream sent.
    func delay(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration {
        let exponent = min(attempt - 1, 30)
        let ceiling = min(cap, base * (1 << exponent))
        let jittered = ceiling * Double.random(in: 0...1)
        if let retryAfter { return max(jittered, min(retryAfter, cap)) }
        return jittered
    }
}
