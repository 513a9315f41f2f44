import LMDBKit

/// Keeps the projections — orders, payments, stock, invoices, customers — folded up to the head of the log,
/// and rebuilds them from position 1 when asked.
///
/// Each projection lives in its own LMDB database in the store's environment, with its own checkpoint (the
/// last position folded). Catching up reads the events after the checkpoints and folds them in write
/// transactions of `eventsPerTransaction` events, each moving the checkpoints in the same transaction: a
/// crash loses no work that was committed and never applies an event twice. Writes happen on the calling
/// thread; LMDB serialises them with the ledger's own writer.
///
/// Sendable: it only holds the (Sendable) ledger.
///
/// ```swift
/// let projections = ProjectionEngine(ledger: ledger)
/// try projections.catchUp()
/// let order = try projections.state(of: StreamKey(domain: .order, entityId: "SO-100001"))
/// ```
public final class ProjectionEngine: Sendable {
    public let ledger: Ledger
    /// Events folded per write transaction while catching up.
    public let eventsPerTransaction: Int

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
    /// - Parameter progress: called after each transaction.
    /// - Throws: `LedgerError` when the store cannot be read or written.
    @discardableResult
    public func catchUp(progress: (Progress) -> Void = { _ in }) throws -> Progress {
        try fold(building: false, domains: Domain.projected, progress: progress, finish: nil)
    }

    /// Rebuilds `domains` (all by default) from position 1 into fresh databases, then swaps each in for the
    /// old one atomically; readers see the old state until the swap.
    ///
    /// A rebuild that is interrupted leaves the current projections untouched; the next rebuild discards
    /// what it had built. Run one rebuild at a time per store.
    @discardableResult
    public func rebuild(_ domains: [Domain] = Domain.projected, progress: (Progress) -> Void = { _ in })
        throws
        -> Progress
    {
        let domains = Domain.projected.filter(domains.contains)
        guard !domains.isEmpty else {
            throw LedgerError(
                .notFound,
                "there is no projection of \(domains); choose order, payment, stock, invoice or customer")
        }
        try write { transaction in
            let registry = try ProjectionRegistry.create(in: ledger, transaction: transaction)
            for domain in domains {
                let current = try registry.entry(domain)
                let leftover = try registry.entry(domain, building: true)
                if let leftover {
                    try transaction.drop(try registry.projectionDatabase(domain, leftover, create: true))
                }
                let generation = max(current?.generation ?? 0, leftover?.generation ?? 0) + 1
                let entry = ProjectionRegistry.Entry(generation: generation, checkpoint: 0)
                _ = try registry.projectionDatabase(domain, entry, create: true)
                try registry.setEntry(entry, for: domain, building: true)
            }
        }
        return try fold(building: true, domains: domains, progress: progress) { registry, targets in
            for target in targets {
                let old = try registry.entry(target.domain)
                try registry.setEntry(target.entry, for: target.domain)
                try registry.removeEntry(for: target.domain, building: true)
                if let old {
                    try registry.transaction.drop(
                        try registry.projectionDatabase(target.domain, old, create: false))
                }
            }
        }
    }

    /// One projection database being folded.
    private struct Target {
        let domain: Domain
        var entry: ProjectionRegistry.Entry
        let database: Database
    }

    /// Folds chunks until the targets reach the head; `finish` runs in the transaction that reaches it.
    private func fold(
        building: Bool, domains: [Domain], progress: (Progress) -> Void,
        finish: ((ProjectionRegistry, [Target]) throws -> Void)?
    ) throws -> Progress {
        var total = Progress(position: 0, head: 0, eventsRead: 0)
        let runners = domains.map(AnyFoldRunner.init(for:))
        while true {
            let (step, done) = try write { transaction in
                try foldChunk(
                    building: building, domains: domains, runners: runners, transaction: transaction,
                    finish: finish)
            }
            total.position = step.position
            total.head = step.head
            total.eventsRead += step.eventsRead
            progress(total)
            if done { return total }
        }
    }

    private func foldChunk(
        building: Bool, domains: [Domain], runners: [AnyFoldRunner], transaction: Transaction,
        finish: ((ProjectionRegistry, [Target]) throws -> Void)?
    ) throws -> (Progress, done: Bool) {
        let registry = try ProjectionRegistry.create(in: ledger, transaction: transaction)
        var targets: [Target] = []
        for domain in domains {
            guard
                let entry = try registry.entry(domain, building: building)
                    ?? (building ? nil : .init(generation: 1, checkpoint: 0))
            else {
                throw LedgerError(
                    .storage,
                    "the rebuild of the \(domain.rawValue) projection was taken over by another process")
            }
            targets.append(
                Target(
                    domain: domain, entry: entry,
                    database: try registry.projectionDatabase(domain, entry, create: true)))
        }
        let head = try ChainHead.read(in: transaction, databases: ledger.databases).position
        let start = (targets.map(\.entry.checkpoint).min() ?? head) + 1
        guard start <= head else {
            for target in targets where !building { try registry.setEntry(target.entry, for: target.domain) }
            try finish?(registry, targets)
            return (Progress(position: head, head: head, eventsRead: 0), true)
        }
        let end = min(head, start + UInt64(eventsPerTransaction) - 1)
        for (runner, target) in zip(runners, targets) {
            runner.begin(
                ProjectionIndex(transaction: transaction, database: target.database), version: target.entry)
        }
        let checkpoints = targets.map(\.entry.checkpoint)
        var clock = try registry.clock()
        var latest = clock.latestOccurredAt
        try ledger.forEachEvent(from: start, through: end, in: transaction) { event in
            if event.position > clock.checkpoint, latest.map({ event.occurredAt > $0 }) ?? true {
                latest = event.occurredAt
            }
            var parsed: ProjectionEvent?
            for (index, runner) in runners.enumerated()
            where event.position > checkpoints[index] && runner.concerns(event.domain, event.type) {
                if parsed == nil { parsed = ProjectionEvent(event) }
                try runner.apply(parsed!)
            }
        }
        for index in targets.indices {
            targets[index].entry.checkpoint = end
            try runners[index].flush(version: targets[index].entry)
            try registry.setEntry(targets[index].entry, for: targets[index].domain, building: building)
        }
        if end > clock.checkpoint, let latest {
            try registry.setClock(checkpoint: end, latestOccurredAt: latest)
            clock.checkpoint = end
        }
        if end == head { try finish?(registry, targets) }
        return (Progress(position: end, head: head, eventsRead: end - start + 1), end == head)
    }

    /// Runs `body` in a write transaction of the store, mapping failures to `LedgerError`.
    func write<Result>(_ body: (Transaction) throws -> Result) throws -> Result {
        do {
            return try ledger.environment.write(body)
        } catch {
            throw LedgerError.wrapping(error, doing: "updating the projections of \(ledger.path)")
        }
    }

    /// Runs `body` in a read snapshot of the store with the projection registry (nil before any catch-up).
    func read<Result>(_ body: (Transaction, ProjectionRegistry?) throws -> Result) throws -> Result {
        do {
            return try ledger.environment.read { transaction in
                try body(transaction, try ProjectionRegistry.open(in: ledger, transaction: transaction))
            }
        } catch {
            throw LedgerError.wrapping(error, doing: "reading the projections of \(ledger.path)")
        }
    }
}
