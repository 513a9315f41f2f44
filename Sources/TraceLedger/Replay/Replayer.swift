import JSONKit
public import Logging

/// Re-drives a downstream system from the ledger: delivers the events of a range, in order per entity,
/// with retries, a dead-letter queue and a durable per-consumer checkpoint.
///
/// Delivery is at-least-once: events are sent in windows, the sink is flushed, then the checkpoint and any
/// new dead letters are saved in one durable transaction. A replay killed mid-window resends that window
/// when it runs again; every delivery carries the event id as its idempotency key, so a downstream that
/// honours it applies each event exactly once.
public struct Replayer: Sendable {
    public let ledger: Ledger
    public let sink: any ReplaySink
    public let options: ReplayOptions
    let logger: Logger

    public init(
        ledger: Ledger, sink: any ReplaySink, options: ReplayOptions,
        logger: Logger = Logger(label: "traceledger.replay")
    ) {
        self.ledger = ledger
        self.sink = sink
        self.options = options
        self.logger = logger
    }

    /// Runs the replay to the end of its range.
    ///
    /// - Throws: `LedgerError` when the store fails, `DeliveryFailure` when the sink cannot be flushed (the
    ///   checkpoint then stays where the last durable window left it).
    public func run(
        stop: ReplayStop = ReplayStop(), progress: @Sendable (ReplayProgress) -> Void = { _ in }
    ) async throws -> ReplaySummary {
        let started = ContinuousClock.now
        // The job is recorded before anything is sent, so a run killed at any instant is continued exactly.
        let options = options.dryRun ? options : try await recordJob()
        let replay = Replayer(ledger: ledger, sink: sink, options: options, logger: logger)
        return try await replay.deliver(stop: stop, started: started, progress: progress)
    }

    /// Records (or continues) this consumer's job in one write and returns the options it runs with: a new job
    /// takes this run's range and filters; a job already recorded is continued as it was, and another `from`
    /// for it is refused unless `restart` says so.
    private func recordJob() async throws -> ReplayOptions {
        let options = options
        let job = try await ledger.write { transaction in
            let snapshot = transaction.snapshot
            let head = try snapshot.head().position
            func resolve(_ bound: EventQuery.Bound?, after: Bool) throws -> UInt64? {
                switch bound {
                case .position(let position): return after ? position : max(1, position)
                case .time(let time):
                    let first = try snapshot.firstPosition(recordedAtOrAfter: time) ?? head + 1
                    return after ? first - 1 : first
                case nil: return nil
                }
            }
            let from = try resolve(options.from, after: false)
            let until = try resolve(options.until, after: true)
            return try transaction.updateConsumer(named: options.consumer) { state -> ReplayJob in
                let domains = options.domains.map { $0.map(\.rawValue).sorted() }
                let types = options.types.map { $0.sorted() }
                // A job that reached its end is done: a run without --from starts the next one after it.
                let unfinished =
                    state.job.map { job in job.until.map { state.checkpoint < $0 } ?? true } ?? false
                if let job = state.job, unfinished, !options.restart {
                    var differs: [String] = []
                    if let from, from != job.from { differs.append("--from (the job starts at \(job.from))") }
                    if options.until != nil, until != job.until { differs.append("--until") }
                    if let domains, domains != job.domains { differs.append("--domain") }
                    if let types, types != job.types { differs.append("--type") }
                    if let trace = options.traceId, trace != job.traceId { differs.append("--trace") }
                    guard differs.isEmpty else {
                        throw LedgerError(
                            .invalidArgument,
                            "consumer \(options.consumer) is in the middle of a replay (checkpoint \(state.checkpoint)) "
                                + "that this run would change: \(differs.joined(separator: ", ")); continue it as it "
                                + "was (leave those out), or start a new job with --restart (and --from where it should begin; "
                                + "without it, position 1)")
                    }
                    return job
                }
                let start = from ?? (options.restart ? 1 : state.checkpoint + 1)
                let job = ReplayJob(
                    from: start, until: until, domains: domains, types: types, traceId: options.traceId)
                state.job = job
                state.checkpoint = start - 1
                return job
            }
        }
        var continued = options
        continued.from = nil
        continued.restart = false
        continued.until = job.until.map { .position($0) }
        continued.domains = job.domains.map { Set($0.compactMap(Domain.init(rawValue:))) }
        continued.types = job.types.map(Set.init)
        continued.traceId = job.traceId
        return continued
    }

    private func deliver(
        stop: ReplayStop, started: ContinuousClock.Instant, progress: @Sendable (ReplayProgress) -> Void
    ) async throws -> ReplaySummary {
        // Where to start, and which entities are blocked, from one snapshot.
        let (state, firstRange, letters) = try ledger.read { snapshot in
            let state =
                try snapshot.consumer(named: options.consumer) ?? ConsumerState(name: options.consumer)
            return (
                state, try positionRange(after: state, in: snapshot),
                try snapshot.deadLetters(of: options.consumer)
            )
        }
        var summary = ReplaySummary(
            consumer: options.consumer, sink: sink.description, dryRun: options.dryRun,
            firstPosition: firstRange.lowerBound, lastPosition: firstRange.upperBound,
            checkpoint: state.checkpoint)
        guard firstRange.lowerBound <= firstRange.upperBound else { return summary }
        if options.dryRun {
            try forEachWindow(of: firstRange) { events, _ in
                for event in events { summary.countsByType[event.type, default: 0] += 1 }
                summary.matched += events.count
            }
            summary.seconds = (ContinuousClock.now - started).seconds
            return summary
        }
        try await recordStart(from: firstRange.lowerBound)
        var blocked: [StreamKey: UInt64] = [:]
        for letter in letters where blocked[letter.stream] == nil { blocked[letter.stream] = letter.position }
        let limiter = options.rate.map { RateLimiter(rate: $0) }
        var start = firstRange.lowerBound
        var range = firstRange
        while true {
            guard let window = try window(startingAt: start, in: range) else {
                // The range is done; following, wait for the next commit and take what it added.
                guard options.follow, !stop.isRequested else { break }
                let end = range.upperBound
                await ledger.waitForCommit(after: end)
                let head = try ledger.head().position
                if head > end { range = (end + 1)...head }
                summary.lastPosition = range.upperBound
                continue
            }
            guard !stop.isRequested else { break }
            start = window.end + 1
            let lanes = LaneDelivery(
                sink: sink, options: options, limiter: limiter, logger: logger)
            let outcome: LaneDelivery.Outcome
            var outages = 0
            while true {
                do {
                    outcome = try await lanes.deliver(window.events, blocked: blocked)
                    break
                } catch let outage as DownstreamUnreachable {
                    // An outage: dead-letter nothing, keep the checkpoint; following, wait for it to end.
                    guard options.follow, !stop.isRequested else {
                        throw LedgerError(
                            .unavailable,
                            "the downstream is unreachable since \(outage.since.rfc3339): \(outage.failure.message); "
                                + "nothing was dead-lettered and the checkpoint of \(options.consumer) stays at "
                                + "\(summary.checkpoint): run the replay again once it is back",
                            underlying: outage.failure)
                    }
                    outages += 1
                    logger.warning(
                        "downstream unreachable; waiting",
                        metadata: ["since": "\(outage.since.rfc3339)", "error": "\(outage.failure.message)"])
                    let wait = min(
                        .seconds(30), options.retry.delay(afterAttempt: min(outages, 12), retryAfter: nil))
                    let until = ContinuousClock.now + wait
                    while ContinuousClock.now < until, !stop.isRequested {
                        try await Task.sleep(for: min(.seconds(1), until - ContinuousClock.now))
                    }
                    if stop.isRequested { return summary }
                }
            }
            try await flushSink()
            for letter in outcome.deadLetters where blocked[letter.stream] == nil {
                blocked[letter.stream] = letter.position
            }
            let saved = try await saveProgress(
                through: window.end, delivered: outcome.delivered, letters: outcome.deadLetters)
            summary.matched += window.events.count
            summary.delivered += outcome.delivered
            summary.retried += outcome.retried
            summary.deadLettered += outcome.deadLetters.filter { $0.state == .dead }.count
            summary.heldBack += outcome.deadLetters.filter { $0.state != .dead }.count
            summary.checkpoint = saved.checkpoint
            progress(
                ReplayProgress(
                    done: window.end - range.lowerBound + 1, total: range.upperBound - range.lowerBound + 1,
                    delivered: summary.delivered, failed: summary.deadLettered + summary.heldBack))
        }
        summary.seconds = (ContinuousClock.now - started).seconds
        return summary
    }

    /// Saves a window's progress and dead letters in one durable write, updating the consumer in place.
    private func saveProgress(
        through end: UInt64, delivered: Int, letters: [DeadLetter]
    ) async throws -> ConsumerState {
        let (consumer, sink) = (options.consumer, sink.description)
        return try await ledger.write { transaction in
            for letter in letters { try transaction.storeDeadLetter(letter) }
            return try transaction.updateConsumer(named: consumer) { state in
                // The job set the checkpoint where it starts; windows only move it forward, so a concurrent
                // run of the same consumer never sets it back.
                state.checkpoint = max(state.checkpoint, end)
                state.delivered += UInt64(delivered)
                if delivered > 0 { state.lastDeliveryAt = .now() }
                state.sink = sink
                return state
            }
        }
    }

    /// The positions this run covers: from `--from`, or after the checkpoint, through `--until` or the head.
    private func positionRange(after state: ConsumerState, in snapshot: LedgerSnapshot) throws
        -> ClosedRange<UInt64>
    {
        let head = try snapshot.head().position
        var first = options.restart ? 1 : state.checkpoint + 1
        switch options.from {
        case .position(let position): first = max(1, position)
        case .time(let time): first = try snapshot.firstPosition(recordedAtOrAfter: time) ?? head + 1
        case nil: break
        }
        var last = head
        switch options.until {
        case .position(let position): last = min(last, position)
        case .time(let time):
            last = min(last, (try snapshot.firstPosition(recordedAtOrAfter: time) ?? head + 1) - 1)
        case nil: break
        }
        // An empty range is expressed as first = last + 1.
        return first <= last ? first...last : (last + 1)...(last + 1)
    }

    /// Calls `body` with each window of matching events and the window's last position.
    private func forEachWindow(
        of range: ClosedRange<UInt64>, _ body: ([RecordedEvent], UInt64) throws -> Void
    ) throws {
        var start = range.lowerBound
        while let window = try window(startingAt: start, in: range) {
            try body(window.events, window.end)
            start = window.end + 1
        }
    }

    /// The matching events of the next window from `start`, and the window's last position; nil past the range.
    /// A window is a few hundred positions per lane: memory stays bounded however long the range.
    private func window(startingAt start: UInt64, in range: ClosedRange<UInt64>) throws -> (
        events: [RecordedEvent], end: UInt64
    )? {
        guard start <= range.upperBound else { return nil }
        if let traceId = options.traceId {
            let events = try ledger.events(forTrace: traceId).filter {
                range.contains($0.position) && options.includes($0)
            }
            return (events, range.upperBound)
        }
        // Big enough that the sink's flush (an fsync for files) and the checkpoint's commit are rare per event;
        // small enough that a crash resends little and memory stays bounded.
        let size = UInt64(max(2048, 1024 * options.concurrency, 4 * options.batchSize))
        let end = min(range.upperBound, start + size - 1)
        let events = try ledger.events(matching: EventQuery(from: .position(start), until: .position(end)))
        return (events.filter(options.includes), end)
    }

    private func flushSink() async throws {
        var attempt = 1
        while true {
            do {
                try await sink.flush()
                return
            } catch {
                guard error.kind == .transient, attempt < options.maximumAttempts else { throw error }
                try await Task.sleep(
                    for: options.retry.delay(afterAttempt: attempt, retryAfter: error.retryAfter))
                attempt += 1
            }
        }
    }

    /// Appends `ledger.replay_started`, so the audit trail shows who re-sent what, and from where.
    private func recordStart(from position: UInt64) async throws {
        let payload =
            "{\"consumer\":\(JSONString.quoted(options.consumer)),\"sink\":\(JSONString.quoted(sink.description)),"
            + "\"fromPosition\":\(position)}"
        _ = try await ledger.appendLedgerOperation(
            type: "ledger.replay_started", entityId: options.consumer, traceId: nil, actor: options.actor,
            payload: payload)
    }
}
