import Foundation
import LMDBKit

/// How a catch-up or rebuild folds the log: in chunks, each committed with the checkpoints it moves.
///
/// Far from the head, while this process commits no appends, a chunk is folded off the writer, from a
/// snapshot on a thread of its own, while the writer commits the chunk before it: the fold reads its
/// uncommitted writes through `FoldWrites`, and the writer's job is only to check that the projection is still
/// where the chunk started and to put its keys, so a rebuild alone waits for no commit. Otherwise the fold
/// runs on the writer, in the transaction that commits it: near the head (the rest fits in one chunk), so it
/// ends at the head it read and a rebuild swaps in at that head; and beside appends, where it ends its chunk
/// every few events an append waits, and the append shares its commit. (Folded off the writer beside appends,
/// every append waited for a whole chunk's keys and fsync: p99 12-44 ms against 8 ms on the writer.)
extension ProjectionEngine {
    /// Which entries a fold moves.
    enum Mode: Sendable {
        /// The current generations (a missing projection starts in a new generation from position 1).
        case catchUp
        /// The generations this rebuild started; swapped in when they reach the head.
        case rebuild([Domain: UInt32])

        var building: Bool {
            if case .rebuild = self { return true }
            return false
        }
    }

    /// Events folded before a chunk checks whether it should end early.
    static let eventsBetweenYields = 32
    /// When this few events (or one chunk's worth, if less) are left, the fold finishes on the writer.
    static let eventsFoldedOnTheWriter = 2_048
    /// How long after appends were last seen committed the fold stays on the writer.
    static let appendsRemembered = Duration.seconds(1)
    /// The nice value of a thread that folds off the writer: 10 gives it about a tenth of a core that appends
    /// and reads want, and every core nobody wants.
    static let foldNiceness: Int32 = 10

    /// Folds chunks until the targets reach the head.
    func fold(mode: Mode, domains: [Domain], progress: (Progress) -> Void) async throws -> Progress {
        var total = Progress(position: 0, head: 0, eventsRead: 0)
        let runners = FoldRunners(domains: domains, statesCached: statesCachedPerProjection)
        let limit = eventsPerTransaction
        // The chunk the writer commits while the next one is folded (the task says whether it was committed),
        // its progress, and the entries it leaves behind.
        var committing: (task: Task<Bool, any Error>, step: Progress)?
        var expected: [ProjectionRegistry.Entry]?
        // This process's head when the last chunk began, and when it was last seen to move: appends are being
        // committed. Remembered for a while, as appends that wait behind a chunk move nothing meanwhile.
        var appendedHead = ledger.writer.commits.head
        var appendsSeen: ContinuousClock.Instant?
        func record(_ step: Progress) {
            total.position = step.position
            total.head = step.head
            total.eventsRead += step.eventsRead
            progress(total)
        }
        func settle(_ commit: (task: Task<Bool, any Error>, step: Progress)) async throws {
            committing = nil
            guard try await commit.task.value else {
                // Another catch-up moved the projection meanwhile: what was folded since is discarded.
                for runner in runners.all { runner.reset() }
                expected = nil
                return
            }
            for runner in runners.all { runner.writes.committed() }
            record(commit.step)
        }
        do {
            while true {
                let entries: [ProjectionRegistry.Entry]?
                let head: UInt64
                if let expected {
                    entries = expected
                    head = try ledger.head().position
                } else {
                    (entries, head) = try readEntries(mode: mode, domains: domains)
                }
                let start = (entries?.map(\.checkpoint).min() ?? 0) + 1
                let now = ContinuousClock.now
                if ledger.writer.commits.head != appendedHead {
                    appendedHead = ledger.writer.commits.head
                    appendsSeen = now
                }
                let besideAppends = appendsSeen.map { now - $0 < Self.appendsRemembered } ?? false
                guard let entries, start <= head, !besideAppends,
                    head - start >= min(limit, Self.eventsFoldedOnTheWriter)
                else {
                    if let committing { try await settle(committing) }
                    let (step, done) = try await foldOnTheWriter(
                        mode: mode, domains: domains, runners: runners, limit: limit)
                    expected = nil
                    record(step)
                    if done { return total }
                    continue
                }
                let last = min(head, start + UInt64(limit) - 1)
                let chunk = try await foldOffWriter(entries, runners: runners, from: start, through: last)
                if let committing {
                    try await settle(committing)
                    if expected == nil { continue }
                }
                let parts = Self.parts(of: domains, runners: runners.all, from: entries, to: chunk.entries)
                expected = chunk.entries
                let step = Progress(position: last, head: head, eventsRead: last - start + 1)
                let task = Task { [ledger] in
                    try await ledger.write { transaction in
                        try Self.commit(
                            parts, end: last, latestOccurredAt: chunk.latestOccurredAt, mode: mode,
                            in: transaction)
                    }
                }
                committing = (task, step)
            }
        } catch {
            // The runners are not touched again, but the caller must not see the fold end before its last chunk.
            if let committing { _ = await committing.task.result }
            throw error
        }
    }

    /// Folds one chunk in a write transaction of its own (`foldChunk`).
    private func foldOnTheWriter(mode: Mode, domains: [Domain], runners: FoldRunners, limit: Int) async throws
        -> (Progress, done: Bool)
    {
        try await ledger.write { transaction in
            do {
                return try Self.foldChunk(
                    mode: mode, domains: domains, runners: runners.all, limit: limit, in: transaction)
            } catch {
                // The runners hold what the aborted transaction folded; the writer may run this closure again
                // (after growing a full map), which must start from what is stored.
                for runner in runners.all { runner.reset() }
                throw error
            }
        }
    }

    /// The entries of `domains` and the head, from one snapshot; nil entries when one is missing (a catch-up
    /// then starts on the writer, which creates it).
    private func readEntries(mode: Mode, domains: [Domain]) throws -> ([ProjectionRegistry.Entry]?, UInt64) {
        try read { snapshot in
            let head = try snapshot.ledger.head().position
            var entries: [ProjectionRegistry.Entry] = []
            for domain in domains {
                guard let entry = try snapshot.registry.entry(domain, building: mode.building) else {
                    return (nil, head)
                }
                if case .rebuild(let generations) = mode, entry.generation != generations[domain] {
                    throw Self.rebuildConflict(domain)
                }
                entries.append(entry)
            }
            return (entries, head)
        }
    }

    private static func rebuildConflict(_ domain: Domain) -> LedgerError {
        LedgerError(
            .conflict,
            "another rebuild of the \(domain.rawValue) projection started meanwhile and goes on; this one stopped"
        )
    }

    // MARK: Off the writer

    /// What a chunk folded off the writer reached.
    private struct FoldedChunk: Sendable {
        /// Each projection's entry once the chunk is committed.
        let entries: [ProjectionRegistry.Entry]
        /// The latest business time among the chunk's events.
        let latestOccurredAt: Timestamp?
    }

    /// Folds `start...last` from a snapshot, on a thread of its own (not the cooperative pool, which a fold of
    /// thousands of events would hold) at a lower priority: beside appends and reads it takes the CPU they
    /// leave (`foldNiceness`).
    private func foldOffWriter(
        _ entries: [ProjectionRegistry.Entry], runners: FoldRunners, from start: UInt64, through last: UInt64
    ) async throws -> FoldedChunk {
        let ledger = self.ledger
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                #if canImport(Glibc)
                    // Linux keeps a nice value per thread; 0 names the calling one (elsewhere it would name the
                    // process, writer included). A failure leaves it at the default.
                    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.foldNiceness)
                #endif
                continuation.resume(
                    with: Result(catching: {
                        let (end, latest) = try ledger.read { snapshot in
                            try Self.foldEvents(
                                entries, runners: runners.all, from: start, through: last, in: snapshot,
                                endEarly: { _ in false })
                        }
                        guard end == last else {
                            throw LedgerError(
                                .corrupted,
                                "the log ends at position \(end) although its head is at least \(last); "
                                    + "run `traceledger verify` to find the damage")
                        }
                        return FoldedChunk(
                            entries: Self.finish(runners.all, from: entries, at: last),
                            latestOccurredAt: latest)
                    }))
            }.start()
        }
    }

    /// One projection's share of a chunk to commit.
    private struct ChunkPart: Sendable {
        let domain: Domain
        /// The entry the chunk was folded from: the commit checks that the projection is still there.
        let from: ProjectionRegistry.Entry
        let to: ProjectionRegistry.Entry
        let writes: FoldWrites.Values
    }

    /// Commits a chunk folded off the writer, unless its projections moved since it began.
    ///
    /// - Returns: false when another catch-up had moved a projection: nothing was written.
    /// - Throws: `.conflict` when another rebuild of a projection this rebuild folds has started.
    private static func commit(
        _ parts: [ChunkPart], end: UInt64, latestOccurredAt: Timestamp?, mode: Mode,
        in transaction: LedgerWriteTransaction
    ) throws -> Bool {
        let registry = ProjectionRegistry.Writer(transaction: transaction)
        for part in parts where try registry.registry.entry(part.domain, building: mode.building) != part.from
        {
            if mode.building { throw rebuildConflict(part.domain) }
            return false
        }
        try store(parts, end: end, latestOccurredAt: latestOccurredAt, mode: mode, in: transaction)
        return true
    }

    // MARK: On the writer

    /// Folds up to `limit` events after the registry's checkpoints and commits them, in the writer's
    /// transaction; a rebuild that reaches the head swaps in.
    private static func foldChunk(
        mode: Mode, domains: [Domain], runners: [AnyFoldRunner], limit: Int,
        in transaction: LedgerWriteTransaction
    ) throws -> (Progress, done: Bool) {
        let registry = ProjectionRegistry.Writer(transaction: transaction)
        var entries: [ProjectionRegistry.Entry] = []
        for domain in domains {
            switch mode {
            case .catchUp:
                if let entry = try registry.registry.entry(domain) {
                    entries.append(entry)
                } else {
                    let entry = ProjectionRegistry.Entry(
                        generation: try registry.newGeneration(), checkpoint: 0)
                    try registry.setEntry(entry, for: domain)
                    entries.append(entry)
                }
            case .rebuild(let generations):
                guard let entry = try registry.registry.entry(domain, building: true),
                    entry.generation == generations[domain]
                else { throw rebuildConflict(domain) }
                entries.append(entry)
            }
        }
        let snapshot = transaction.snapshot
        let head = try snapshot.head().position
        let start = (entries.map(\.checkpoint).min() ?? head) + 1
        guard start <= head else {
            if mode.building { try swapIn(domains, at: entries, registry: registry) }
            return (Progress(position: head, head: head, eventsRead: 0), true)
        }
        let last = min(head, start + UInt64(limit) - 1)
        // Let a waiting append in: end the chunk there, the next one goes on from the next event.
        let (end, latest) = try foldEvents(
            entries, runners: runners, from: start, through: last, in: snapshot
        ) {
            _ in transaction.othersAreWaiting
        }
        let reached = finish(runners, from: entries, at: end)
        let parts = parts(of: domains, runners: runners, from: entries, to: reached)
        try store(parts, end: end, latestOccurredAt: latest, mode: mode, in: transaction)
        for runner in runners { runner.writes.committed() }
        let done = end == head
        if done && mode.building { try swapIn(domains, at: reached, registry: registry) }
        return (Progress(position: end, head: head, eventsRead: end - start + 1), done)
    }

    /// Makes rebuilt generations current and discards the ones they replace.
    private static func swapIn(
        _ domains: [Domain], at entries: [ProjectionRegistry.Entry], registry: ProjectionRegistry.Writer
    ) throws {
        for (domain, entry) in zip(domains, entries) {
            if let old = try registry.registry.entry(domain) { try registry.discard(old.generation) }
            try registry.setEntry(entry, for: domain)
            try registry.removeEntry(for: domain, building: true)
        }
    }

    // MARK: Both

    /// Folds the events `start...last` into the runners, each from its entry, until `endEarly` (asked every
    /// `eventsBetweenYields` events with the number folded) says to stop.
    ///
    /// - Returns: the last position folded, and the latest business time among the events folded.
    private static func foldEvents(
        _ entries: [ProjectionRegistry.Entry], runners: [AnyFoldRunner], from start: UInt64,
        through last: UInt64,
        in snapshot: LedgerSnapshot, endEarly: (_ folded: Int) -> Bool
    ) throws -> (end: UInt64, latestOccurredAt: Timestamp?) {
        for (runner, entry) in zip(runners, entries) {
            runner.begin(ProjectionIndex(snapshot: snapshot, generation: entry.generation), version: entry)
        }
        var latest: Timestamp?
        var folded = 0
        let end = try snapshot.forEachEvent(from: start, through: last) { event in
            // The business clock: the ledger's own operations (a replay started, a dead letter retried) happen
            // at the wall clock's time, which must not age imported history.
            if event.domain != .ledger, latest.map({ event.occurredAt > $0 }) ?? true {
                latest = event.occurredAt
            }
            var parsed: ProjectionEvent?
            for (index, runner) in runners.enumerated()
            where event.position > entries[index].checkpoint && runner.concerns(event.domain, event.type) {
                if parsed == nil { parsed = ProjectionEvent(event) }
                try runner.apply(parsed!)
            }
            folded += 1
            return !(folded % eventsBetweenYields == 0 && endEarly(folded))
        }
        return (end, latest)
    }

    /// Ends the runners' chunk at `end`: each flushes its changed states into its writes.
    ///
    /// - Returns: the entries the projections reach once the chunk is committed.
    private static func finish(
        _ runners: [AnyFoldRunner], from entries: [ProjectionRegistry.Entry], at end: UInt64
    ) -> [ProjectionRegistry.Entry] {
        zip(runners, entries).map { runner, entry in
            var reached = entry
            reached.checkpoint = max(entry.checkpoint, end)
            runner.flush(version: reached)
            return reached
        }
    }

    /// Each projection's share of a finished chunk, its runner's writes handed over (still readable by the fold
    /// until `committed()`).
    private static func parts(
        of domains: [Domain], runners: [AnyFoldRunner], from entries: [ProjectionRegistry.Entry],
        to reached: [ProjectionRegistry.Entry]
    ) -> [ChunkPart] {
        domains.indices.map { index in
            ChunkPart(
                domain: domains[index], from: entries[index], to: reached[index],
                writes: runners[index].writes.submit())
        }
    }

    /// Puts a chunk's keys, in key order, and moves its projections' entries and the business clock to `end`.
    private static func store(
        _ parts: [ChunkPart], end: UInt64, latestOccurredAt: Timestamp?, mode: Mode,
        in transaction: LedgerWriteTransaction
    ) throws {
        let registry = ProjectionRegistry.Writer(transaction: transaction)
        for part in parts {
            try FoldWrites.apply(
                part.writes,
                to: ProjectionIndex(snapshot: transaction.snapshot, generation: part.to.generation))
            try registry.setEntry(part.to, for: part.domain, building: mode.building)
        }
        try advanceClock(to: end, latestOccurredAt: latestOccurredAt, registry: registry)
    }

    /// Moves the business clock (the latest time of any event folded, by any projection) to `end`. A maximum,
    /// so a chunk that overlaps events already counted changes nothing for them.
    private static func advanceClock(
        to end: UInt64, latestOccurredAt latest: Timestamp?, registry: ProjectionRegistry.Writer
    ) throws {
        let clock = try registry.registry.clock()
        guard end > clock.checkpoint else { return }
        let candidates = [latest, clock.latestOccurredAt].compactMap { $0 }
        guard let latest = candidates.max(by: { $0 < $1 }) else { return }
        try registry.setClock(checkpoint: end, latestOccurredAt: latest)
    }
}

/// The fold runners of one catch-up or rebuild, kept from chunk to chunk so their state caches survive.
///
/// Sendable: one chunk uses them at a time (the fold awaits each chunk's fold before it starts the next), on
/// the writer thread or on the fold's thread off it; a chunk being committed uses only the writes handed to it.
final class FoldRunners: @unchecked Sendable {
    let all: [AnyFoldRunner]
    init(domains: [Domain], statesCached: Int) {
        all = domains.map { AnyFoldRunner(for: $0, statesCached: statesCached) }
    }
}
