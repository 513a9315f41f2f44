/// One store's figures; nil where the measure was not run (for example batch 10000 in `--scale`).
struct StoreFigures: Codable {
    var appendBatch1000EventsPerSecond: Double?
    var appendBatch10000EventsPerSecond: Double?
    var appendBatch1EventsPerSecond: Double?
    var commitLatencyP50Microseconds: Double?
    var commitLatencyP99Microseconds: Double?
    var traceLookupP50Microseconds: Double?
    var traceLookupP99Microseconds: Double?
    var historyLookupP50Microseconds: Double?
    var historyLookupP99Microseconds: Double?
    var scanEventsPerSecond: Double?
    var bytesPerEvent: Double?
}

/// Figures only TraceLedger has.
struct LedgerFigures: Codable {
    /// Decoding and validating NDJSON (JSON parse + schemas) on one core, outside any append.
    var decodeEventsPerSecond: Double?
    /// `Replayer` with a `FileSink` (what `traceledger replay --to file:…` does, default options), over the log.
    var replayToFileEventsPerSecond: Double?
    /// A 3,000-event replay to a local HTTP downstream answering 503 to one in five first attempts, over the
    /// same replay answered cleanly (default options).
    var replayWithRetriesSeconds: Double?
    var replayCleanSeconds: Double?
    var replayWithRetriesRatio: Double?
    /// The floor under replay: scan, write each envelope as NDJSON to a file, one fsync at the end.
    var scanToFileEventsPerSecond: Double?
    /// `ProjectionEngine.rebuild()` of every projection from position 1.
    var projectionRebuildEventsPerSecond: Double?
    var verifyEventsPerSecond: Double?
    /// The chain walk and every index check: what `traceledger verify` runs.
    var verifyWithIndexesEventsPerSecond: Double?
    var concurrent8EventsPerSecond: Double?
    var concurrent8P99Microseconds: Double?
    var concurrent64EventsPerSecond: Double?
    var concurrent64P99Microseconds: Double?
    /// Appenders of the next figures (single-event appends, as for `concurrent8…`).
    var rebuildOverlapAppenders: Int?
    /// Those appenders alone, just before the rebuild: the baseline.
    var appendAloneP50Microseconds: Double?
    var appendAloneP99Microseconds: Double?
    /// The same appenders while a full `ProjectionEngine.rebuild()` runs on the same ledger: only the appends
    /// that started before the rebuild returned.
    var appendDuringRebuildP50Microseconds: Double?
    var appendDuringRebuildP99Microseconds: Double?
    /// `appendDuringRebuildP99Microseconds` ÷ `appendAloneP99Microseconds`.
    var appendDuringRebuildP99Ratio: Double?
    /// How many appends overlapped the rebuild (the sample of the during-rebuild figures), and their rate.
    var appendsOverlappingRebuild: Int?
    var appendDuringRebuildEventsPerSecond: Double?
    /// Events that rebuild folded, and how long it took with the appends beside it.
    var rebuildWithAppendsEvents: Int?
    var rebuildWithAppendsSeconds: Double?
    /// `BulkImporter` from the NDJSON file into a fresh store, in a child process: rate and its peak RSS.
    var importEventsPerSecond: Double?
    var importPeakRSSBytes: Int?
    /// The import's peak anonymous memory (heap and stacks: RssAnon sampled every 20 ms), without the store's
    /// memory-mapped pages, which the kernel counts in RSS but can drop at any time.
    var importPeakAnonymousBytes: Int?
    /// The Merkle tree: inclusion proofs and past roots at random positions and sizes (one snapshot each), and
    /// the `merkle` database's bytes per event.
    var inclusionProofP50Microseconds: Double?
    var inclusionProofP99Microseconds: Double?
    var pastRootP50Microseconds: Double?
    var pastRootP99Microseconds: Double?
    var merkleBytesPerEvent: Double?
    /// The console's page of a 50-event trace, fetched over loopback from the server in this process.
    var consoleTracePageP50Milliseconds: Double?
    var consoleTracePageP99Milliseconds: Double?
    /// Replicas over NATS JetStream: a new replica applying a stream, and the lag from the primary's commit to
    /// the replica's at a steady 2,000 events/s.
    var replicaApplyEventsPerSecond: Double?
    var replicaLagP50Milliseconds: Double?
    var replicaLagP99Milliseconds: Double?
    /// One event published and acknowledged by JetStream: how long a commit is not yet in the stream.
    var replicaPublishAckP99Milliseconds: Double?
}

/// The figures at one store size, for `--scale`.
struct ScalePoint: Codable {
    var events: Int
    var stores: [String: StoreFigures]
    var importEventsPerSecond: Double?
    var importPeakRSSBytes: Int?
    var importPeakAnonymousBytes: Int?
}

/// What `ledger-bench --http` measured: the server of `traceledger serve` in this process, on a loopback port,
/// over a store of `BenchResults.events` events.
struct HTTPFigures: Codable {
    /// Clients posting one event per request (`POST /v1/events`, application/json), each over its own
    /// keep-alive connection, and how many requests each made.
    var httpClients = 0
    var requestsPerClient = 0
    /// The established connections to the server right after the HTTP appends (one per client when the pool
    /// kept them alive).
    var httpConnections = 0
    var httpEventsPerSecond = 0.0
    /// From sending the request to having the whole answer (a 201).
    var httpP50Microseconds = 0.0
    var httpP99Microseconds = 0.0
    /// The same number of in-process tasks calling `ledger.append(event)`, as many events each, same ledger.
    var inProcessAppenders = 0
    var inProcessEventsPerSecond = 0.0
    var inProcessP50Microseconds = 0.0
    var inProcessP99Microseconds = 0.0
    /// `httpEventsPerSecond` ÷ `inProcessEventsPerSecond`.
    var httpOverInProcessRatio = 0.0
    /// Live tails (`GET /v1/events/live`) open while `liveEvents` events were appended in-process at a
    /// steady pace (`livePacedEventsPerSecond` asked, `liveAppendedEventsPerSecond` achieved).
    var liveSubscribers = 0
    var liveEvents = 0
    var livePacedEventsPerSecond = 0.0
    var liveAppendedEventsPerSecond = 0.0
    /// Per subscriber and event: when the subscriber had the event's block minus when its `append` returned.
    var deliveryP50Milliseconds = 0.0
    var deliveryP99Milliseconds = 0.0
    var deliveryMaxMilliseconds = 0.0
    /// Deliveries measured (subscribers × events when every one arrived).
    var deliveries = 0
    /// Deliveries that arrived before the appender had resumed from its `append` (counted as 0 ms above): the
    /// writer wakes the live tails at its commit, before it resumes the appenders.
    var deliveriesBeforeAppendReturned = 0
    /// Subscribers that got every event exactly once, in order, and nothing else.
    var subscribersComplete = 0
    /// `RssAnon` of this process (server, clients and the benchmark's own input): before the loads, after the
    /// HTTP and in-process appends, with the subscribers open after the live load, and the peak sampled
    /// every 20 ms through all of them.
    var anonymousBeforeBytes = 0
    /// `RssAnon` once the store was loaded, before the inputs (request bodies, decoded events) were built.
    var anonymousBeforeInputsBytes = 0
    var anonymousAfterAppendsBytes = 0
    var anonymousWithSubscribersBytes = 0
    var anonymousPeakBytes = 0
    /// Anything that went wrong: a status other than 201, a lost, repeated or reordered event, a subscriber that
    /// did not start at the head. Empty in a good run.
    var problems: [String] = []
}

/// A target of issue 5 and whether this run met it.
struct TargetCheck: Codable {
    var target: String
    var measured: String
    var met: Bool
}

/// Everything one run measured, as written by `--out`.
struct BenchResults: Codable {
    var events: Int
    var seed: UInt64
    var machine: MachineDescription
    var durability =
        "every store commits durably (fsync at commit: LMDB default sync, SQLite WAL synchronous=FULL), all on the same disk"
    var stores: [String: StoreFigures] = [:]
    var ledger = LedgerFigures()
    var consistent = false
    var targets: [TargetCheck] = []
    var scale: [ScalePoint]?
    /// Only in a `--http` run.
    var http: HTTPFigures?
}
