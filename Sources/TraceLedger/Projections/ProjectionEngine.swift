import LMDBKit

/// Keeps the projections — orders, payments, stock, invoices, customers — folded up to the head of the log,
/// and rebuilds them from position 1 when asked.
///
/// Each projection has its own generation of state and its own checkpoint (the last position folded).
/// Catching up reads the events after the checkpoints and folds them in bounded chunks, each one write
/// transaction on the store's writer that moves the checkpoints with the states: a crash loses no work that
/// was committed and never applies an event twice, and a chunk ends early when an append is waiting, so
/// appends wait behind at most a short piece of a rebuild. Any number of catch-ups and rebuilds, in any
/// number of processes, can run at once: each chunk reads the registry afresh in its own transaction, and a
/// rebuild folds into a generation nobody else writes.
///
/// Sendable: it only holds the (Sendable) ledger.
///
/// ```swift
/// let projections = ProjectionEngine(ledger: ledger)
/// try await projections.catchUp()
/// let order = try projections.state(of: StreamKey(domain: .order, entityId: "SO-100001"))
/// ```
public final class ProjectionEngine: Sendable {
    public let ledger: Ledger
    /// The most events folded per write transaction.
    public let eventsPerTransaction: Int
    /// Events folded before a chunk checks whether other writes wait (and ends early if so).
    static let eventsBetweenYields = 32
    /// Keys of a discarded generation deleted per write transaction.
    static let keysDeletedPerTransaction = 1_024

    public init(ledger: Ledger, eventsPerTransaction: Int = 16_384) {
        self.ledger = ledger
        self.eventsPerTransaction = max(1, eventsPerTransaction)
    }

    /// What a catch-up or rebuild did.
    public struct Progress: Sendable, Equatable {
        /// The last position folded.
        public var position: UInt64
        /// The head of the log when the last transaction ran.
        public var head: UInt64
        /// Events read from the log by this call.
        public var eventsRead: UInt64
    }

    /// Folds the events after each projection's checkpoint, up to the head of the log.
    ///
    /// - Parameter progress: called after each chunk.
    /// - Throws: `LedgerError` when the store cannot be read or written.
    @discardableResult
    public func catchUp(progress: (Progress) -> Void = { _ in }) async throws -> Progress {
        // Already at the head with nothing to clean up (the common case of `state` and the server's reads):
        // answered from a snapshot, without queueing a job behind the appends.
        let current = try read { snapshot -> Progress? in
            let head = try snapshot.ledger.head().position
            let checkpoints = try Domain.projected.map { try snapshot.registry.entry($0)?.checkpoint }
            guard checkpoints.allSatisfy({ $0 == head }), try snapshot.registry.garbage().isEmpty else {
                return nil
            }
            return Progress(position: head, head: head, eventsRead: 0)
        }
        if let current {
            progress(current)
            return current
        }
        let result = try await fold(mode: .catchUp, domains: Domain.projected, progress: progress)
        try await deleteDiscardedGenerations()
        return result
    }

    /// Rebuilds `domains` (all by default) from position 1 into new generations, then swaps each in for the
    /// old one atomically; readers see the old state until the swap.
    ///
    /// A rebuild that is interrupted leaves the current projections untouched; the next rebuild discards what
    /// it had built. When another rebuild of the same projection starts meanwhile, this one stops with
    /// `.conflict` and the newer one goes on.
    @discardableResult
    public func rebuild(_ domains: [Domain] = Domain.projected, progress: (Progress) -> Void = { _ in })
        async throws -> Progress
    {
        let domains = Domain.projected.filter(domains.contains)
        guard !domains.isEmpty else {
            throw LedgerError(
                .invalidArgument,
                "there is no projection of \(domains); choose order, payment, stock, invoice or customer")
        }
        let generations = try await ledger.write { transaction in
            let registry = ProjectionRegistry.Writer(transaction: transaction)
            var generations: [Domain: UInt32] = [:]
            for domain in domains {
                if let leftover = try registry.registry.entry(domain, building: true) {
                    try registry.discard(leftover.generation)
                }
                let generation = try registry.newGeneration()
                try registry.setEntry(
                    .init(generation: generation, checkpoint: 0), for: domain, building: true)
                generations[domain] = generation
            }
            return generations
        }
        let result = try await fold(mode: .rebuild(generations), domains: domains, progress: progress)
        try await deleteDiscardedGenerations()
        return result
    }

    /// Which entries a fold moves.
    private enum Mode: Sendable {
        /// The current generations (a missing projection starts in a new generation from position 1).
        case catchUp
        /// The generations this rebuild started; swapped in when they reach the head.
        case rebuild([Domain: UInt32])
    }

    /// Folds chunks until the targets reach the head.
    private func fold(mode: Mode, domains: [Domain], progress: (Progress) -> Void) async throws
        -> Progress
    {
        var total = Progress(position: 0, head: 0, eventsRead: 0)
        let runners = FoldRunners(domains: domains)
        let limit = eventsPerTransaction
        while true {
            let (step, done) = try await ledger.write { transaction in
                try Self.foldChunk(
                    mode: mode, domains: domains, runners: runners.all, limit: limit, in: transaction)
            }
            total.position = step.position
            total.head = step.head
            total.eventsRead += step.eventsRead
            progress(total)
            if done { return total }
        }
    }

    /// One projection generation being folded in a chunk.
    private struct Target {
        let domain: Domain
        var entry: ProjectionRegistry.Entry
    }

    private static func foldChunk(
        mode: Mode, domains: [Domain], runners: [AnyFoldRunner], limit: Int,
        in transaction: LedgerWriteTransaction
    ) throws -> (Progress, done: Bool) {
        let registry = ProjectionRegistry.Writer(transaction: transaction)
        let building: Bool
        var targets: [Target] = []
        switch mode {
        case .catchUp:
            building = false
            for domain in domains {
                if let entry = try registry.registry.entry(domain) {
                    targets.append(Target(domain: domain, entry: entry))
                } else {
                    let entry = ProjectionRegistry.Entry(
                        generation: try registry.newGeneration(), checkpoint: 0)
                    try registry.setEntry(entry, for: domain)
                    targets.append(Target(domain: domain, entry: entry))
                }
            }
        case .rebuild(let generations):
            building = true
            for domain in domains {
                guard let entry = try registry.registry.entry(domain, building: true),
                    entry.generation == generations[domain]
                else {
                    throw LedgerError(
                        .conflict,
                        "another rebuild of the \(domain.rawValue) projection started meanwhile and goes on; "
                            + "this one stopped")
                }
                targets.append(Target(domain: domain, entry: entry))
            }
        }
        let snapshot = transaction.snapshot
        let head = try snapshot.head().position
        let start = (targets.map(\.entry.checkpoint).min() ?? head) + 1
        guard start <= head else {
            if building { try swapIn(targets, registry: registry) }
            return (Progress(position: head, head: head, eventsRead: 0), true)
        }
        let last = min(head, start + UInt64(limit) - 1)
        for (runner, target) in zip(runners, targets) {
            runner.begin(
                ProjectionIndex(snapshot: snapshot, generation: target.entry.generation),
                version: target.entry)
        }
        let checkpoints = targets.map(\.entry.checkpoint)
        var clock = try registry.registry.clock()
        var latest = clock.latestOccurredAt
        var folded = 0
        let end = try snapshot.forEachEvent(from: start, through: last) { event in
            // The business clock: the ledger's own operations (a replay started, a dead letter retried) happen
            // at the wall clock's time, which must not age imported history.
            if event.position > clock.checkpoint, event.domain != .ledger,
                latest.map({ event.occurredAt > $0 }) ?? true
            {
                latest = event.occurredAt
            }
            var parsed: ProjectionEvent?
            for (index, runner) in runners.enumerated()
            where event.position > checkpoints[index] && runner.concerns(event.domain, event.type) {
                if parsed == nil { parsed = ProjectionEvent(event) }
                try runner.apply(parsed!)
            }
            folded += 1
            // Let a waiting append in: end the chunk here, the next one goes on from this event.
            return !(folded % eventsBetweenYields == 0 && transaction.othersAreWaiting)
        }
        for index in targets.indices {
            targets[index].entry.checkpoint = max(targets[index].entry.checkpoint, end)
            try runners[index].flush(version: targets[index].entry)
            try registry.setEntry(targets[index].entry, for: targets[index].domain, building: building)
        }
        if end > clock.checkpoint, let latest {
            try registry.setClock(checkpoint: end, latestOccurredAt: latest)
            clock.checkpoint = end
        }
        let done = end == head
        if done && building { try swapIn(targets, registry: registry) }
        return (Progress(position: end, head: head, eventsRead: end - start + 1), done)
    }

    /// Makes rebuilt generations current and discards the ones they replace.
    private static func swapIn(_ targets: [Target], registry: ProjectionRegistry.Writer) throws {
        for target in targets {
            if let old = try registry.registry.entry(target.domain) { try registry.discard(old.generation) }
            try registry.setEntry(target.entry, for: target.domain)
            try registry.removeEntry(for: target.domain, building: true)
        }
    }

    /// Deletes the data of replaced generations, a bounded chunk per write transaction.
    private func deleteDiscardedGenerations() async throws {
        let limit = Self.keysDeletedPerTransaction
        while true {
            let done = try await ledger.write { transaction in
                let registry = ProjectionRegistry.Writer(transaction: transaction)
                guard let generation = try registry.registry.garbage().first else { return true }
                _ = try registry.deleteData(of: generation, limit: limit)
                return false
            }
            if done { return }
        }
    }

    /// Runs `body` with a snapshot of the store and its projections: one consistent state of both.
    func read<Result>(_ body: (ProjectionSnapshot) throws -> Result) throws -> Result {
        try ledger.read { try body(ProjectionSnapshot(registry: ProjectionRegistry(snapshot: $0))) }
    }
}

/// The projections as one snapshot of the store sees them.
///
/// Not Sendable: it holds a snapshot, bound to its thread.
struct ProjectionSnapshot {
    let registry: ProjectionRegistry
    var ledger: LedgerSnapshot { registry.snapshot }

    /// The current state of `domain`'s projection, or nil when it was never built.
    func projection(_ domain: Domain) throws -> ProjectionIndex? { try registry.current(domain) }
}

/// The fold runners of one catch-up or rebuild, kept from chunk to chunk so their state caches survive.
///
/// Sendable: the runners are used only inside the fold's write closures, which run one at a time on the
/// writer thread (the fold awaits each chunk before it submits the next).
private final class FoldRunners: @unchecked Sendable {
    let all: [AnyFoldRunner]
    init(domains: [Domain]) { all = domains.map(AnyFoldRunner.init(for:)) }
}
