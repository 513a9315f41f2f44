import LMDBKit

/// Keeps the projections — orders, payments, stock, invoices, customers — folded up to the head of the log,
/// and rebuilds them from position 1 when asked.
///
/// Each projection has its own generation of state and its own checkpoint (the last position folded).
/// Catching up reads the events after the checkpoints and folds them in bounded chunks, each committed in one
/// write transaction that moves the checkpoints with the states: a crash loses no work that was committed and
/// never applies an event twice. Far from the head and with no appends to let in, a chunk is folded off the
/// writer while the chunk before it is committed; otherwise on the writer, where it ends early when an append
/// is waiting, so appends wait behind at most a short piece of a rebuild (`ProjectionEngine+Folding.swift`). Any number of catch-ups and rebuilds, in any number of processes,
/// can run at once: each commit checks that the projection is still where its chunk started (a chunk folded
/// from a projection that moved meanwhile is folded again), and a rebuild folds into a generation nobody else
/// writes.
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
    /// The most entity states each projection keeps in memory from one chunk to the next (a rebuild of 1M
    /// workload events touches ~94,000 orders; beyond the limit the cache is emptied and states are read again).
    public let statesCachedPerProjection: Int
    /// Keys of a discarded generation deleted per write transaction.
    static let keysDeletedPerTransaction = 65_536

    public init(ledger: Ledger, eventsPerTransaction: Int = 16_384, statesCachedPerProjection: Int = 250_000)
    {
        self.ledger = ledger
        self.eventsPerTransaction = max(1, eventsPerTransaction)
        self.statesCachedPerProjection = max(0, statesCachedPerProjection)
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
