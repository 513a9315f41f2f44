import Foundation
import LMDBKit
import Logging
import Synchronization
import ZstdKit

/// The store's one writer: a dedicated thread that runs every LMDB write transaction of this process.
///
/// Two kinds of work reach it, in arrival order. Appends that arrive while a commit is under way wait together
/// and share the next transaction and its fsync (group commit); each caller is answered only after that commit
/// is durable, and a batch rejected by its checks fails alone. Every other write (projection chunks, consumer
/// checkpoints, dead letters, store setup) is a closure run in a transaction of its own. Long jobs submit
/// bounded chunks, one at a time, so an append waits behind at most one chunk.
///
/// Sendable: the queue is guarded by a condition lock; LMDB work happens only on the writer thread.
final class LedgerWriter: @unchecked Sendable {
    private enum Job {
        /// One atomic batch; `complete` answers its caller once it is durably committed or rejected.
        case append([ProposedEvent], complete: @Sendable (Result<[AppendOutcome], any Error>) -> Void)
        /// A closure to run in its own transaction; `complete` gets nil once committed, or the error.
        case write(
            @Sendable (LedgerWriteTransaction) throws -> Void, complete: @Sendable ((any Error)?) -> Void)

        var eventCount: Int {
            if case .append(let events, _) = self { return events.count }
            return 0
        }

        func fail(_ error: any Error) {
            switch self {
            case .append(_, let complete): complete(.failure(error))
            case .write(_, let complete): complete(error)
            }
        }
    }

    private let path: String
    private let environment: Environment
    private let logger: Logger
    /// Told of every commit that moved the head.
    let commits = CommitNotifier()
    /// Held shared by every transaction, exclusively to grow the map.
    let gate = MapGate()
    /// The largest map the writer grows to.
    static let maximumMapSize = 1 << 40
    // Set once by the writer thread's setup transaction, before `init` returns; read-only afterwards.
    private(set) var databases: LedgerDatabases!
    private(set) var dictionaries: DictionaryCache!
    /// The event-id log's unsettled entries, shared by this process's readers and the writer.
    let recentEventIds = RecentEventIds()
    /// Makes the records of large batches beside the writer thread (`RecordCompressionLane`); used by it alone.
    let recordLane = RecordCompressionLane()
    private var trainer: DictionaryTrainer!
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopping = false
    private var stopped = false
    private var closeWaiters: [@Sendable () -> Void] = []
    /// The writer thread's identity, to refuse re-entrant writes that would wait for themselves.
    private let threadID = Mutex<pthread_t?>(nil)
    /// Cap on events per group commit, so one transaction's dirty pages stay bounded.
    private let maximumEventsPerCommit = 50_000

    /// Starts the writer thread, whose first transaction is `setup`: it opens (or creates) the store's
    /// databases and checks the store. Returns once that transaction committed.
    ///
    /// - Throws: whatever `setup` throws; the thread has ended then.
    init(
        path: String, environment: Environment, logger: Logger,
        setup: @escaping @Sendable (Transaction) throws -> LedgerDatabases
    ) throws {
        self.path = path
        self.environment = environment
        self.logger = logger
        let ready = DispatchSemaphore(value: 0)
        let setupFailure = ResultSlot<any Error>()
        let thread = Thread { [self] in
            threadID.withLock { $0 = pthread_self() }
            do {
                let databases = try environment.write { try setup($0) }
                self.databases = databases
                self.dictionaries = DictionaryCache(databases: databases)
                self.trainer = DictionaryTrainer(databases: databases, dictionaries: dictionaries)
            } catch {
                setupFailure.value = error
                ready.signal()
                return
            }
            ready.signal()
            run()
        }
        thread.name = "traceledger-writer"
        thread.start()
        ready.wait()
        if let error = setupFailure.value {
            stopped = true
            stopping = true
            throw error
        }
    }

    // MARK: Submitting work

    /// Queues `events` as one atomic batch and returns once it is durably committed (or rejected).
    func append(_ events: [ProposedEvent]) async throws -> [AppendOutcome] {
        if events.isEmpty { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            enqueue([.append(events, complete: { continuation.resume(with: $0) })])
        }
    }

    /// Queues several atomic batches at once, in order, so they share group commits; returns each batch's
    /// outcome once all of them are durably committed or rejected.
    func append(batches: [[ProposedEvent]]) async -> [Result<[AppendOutcome], any Error>] {
        if batches.isEmpty { return [] }
        return await withCheckedContinuation { continuation in
            let collector = ResultCollector(count: batches.count) { continuation.resume(returning: $0) }
            var jobs: [Job] = []
            for (index, batch) in batches.enumerated() {
                if batch.isEmpty {
                    collector.set(index, .success([]))
                } else {
                    jobs.append(.append(batch, complete: { collector.set(index, $0) }))
                }
            }
            if !jobs.isEmpty { enqueue(jobs) }
        }
    }

    /// Runs `body` in a write transaction of its own on the writer thread and returns its result once the
    /// transaction is durably committed.
    func write<Result: Sendable>(_ body: @escaping @Sendable (LedgerWriteTransaction) throws -> Result)
        async throws -> Result
    {
        precondition(!isWriterThread, "Ledger.write called from inside a write: it would wait for itself")
        let slot = ResultSlot<Result>()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enqueue([
                .write(
                    { slot.value = try body($0) },
                    complete: { error in
                        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                    })
            ])
        }
        return slot.value!
    }

    /// `write(_:)` for synchronous callers that are not on the cooperative pool (opening a store).
    func writeBlocking<Result>(_ body: @escaping @Sendable (LedgerWriteTransaction) throws -> Result) throws
        -> Result
    {
        precondition(!isWriterThread, "Ledger.write called from inside a write: it would wait for itself")
        let slot = ResultSlot<Result>()
        let outcome = ResultSlot<(any Error)?>()
        let done = DispatchSemaphore(value: 0)
        enqueue([
            .write(
                { slot.value = try body($0) },
                complete: { error in
                    outcome.value = .some(error)
                    done.signal()
                })
        ])
        done.wait()
        if let error = outcome.value ?? nil { throw error }
        return slot.value!
    }

    /// Whether the writer takes work (false once closed).
    var isRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !stopping
    }

    /// Whether jobs wait in the queue (read by long jobs to end their chunk early).
    var hasQueuedWork: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !queue.isEmpty
    }

    private var isWriterThread: Bool {
        threadID.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    private func enqueue(_ jobs: [Job]) {
        condition.lock()
        if stopping {
            condition.unlock()
            let closed = LedgerError.closed(path)
            for job in jobs { job.fail(closed) }
            return
        }
        queue.append(contentsOf: jobs)
        condition.signal()
        condition.unlock()
    }

    // MARK: Stopping

    /// Refuses new work, lets the writer finish what is queued, then ends its thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// `stop()`, returning once everything queued before it is committed and the thread has ended.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if stopped {
                condition.unlock()
                continuation.resume()
                return
            }
            closeWaiters.append { continuation.resume() }
            stopping = true
            condition.signal()
            condition.unlock()
        }
    }

    // MARK: The writer thread

    /// The next jobs to run together: a run of appends (up to the cap), or one write closure; nil when stopped.
    private func nextJobs() -> [Job]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            if stopping {
                stopped = true
                commits.close()
                let waiters = closeWaiters
                closeWaiters = []
                waiters.forEach { $0() }
                return nil
            }
            condition.wait()
        }
        guard case .append = queue[0] else { return [queue.removeFirst()] }
        var count = 0
        var taken = 0
        while taken < queue.count, case .append = queue[taken],
            taken == 0 || count + queue[taken].eventCount <= maximumEventsPerCommit
        {
            count += queue[taken].eventCount
            taken += 1
        }
        let group = Array(queue.prefix(taken))
        queue.removeFirst(taken)
        return group
    }

    private func run() {
        let codec = RecordCodec()
        while let jobs = nextJobs() {
            if case .write(let body, _) = jobs[0] {
                commit(body: body, then: jobs, codec: codec)
            } else {
                commit(body: nil, then: jobs, codec: codec)
            }
            train(codec: codec)
        }
    }

    /// Runs `body` in one write transaction and commits it; returns the error, if any: the closure's own errors
    /// as thrown, LMDB's as a `LedgerError` of their kind. Tells the commit notifier when the head moved.
    private func transactionFailure(
        of body: (LedgerWriteTransaction) throws -> Void, codec: RecordCodec, doing operation: String
    ) -> (any Error)? {
        do {
            while true {
                do {
                    let head = try gate.shared {
                        try environment.write { transaction in
                            let snapshot = LedgerSnapshot(
                                transaction: transaction, databases: databases, codec: codec,
                                dictionaries: dictionaries, recentEventIds: recentEventIds)
                            let writeTransaction = LedgerWriteTransaction(snapshot: snapshot, writer: self)
                            try body(writeTransaction)
                            return writeTransaction.appendedThrough
                        }
                    }
                    if let head { commits.publish(head) }
                    return nil
                } catch let error as LMDBError where error.code == LMDBError.mapFull {
                    // Nothing was written: grow the map and run the same work again.
                    guard try gate.grow(environment, limit: Self.maximumMapSize) else { throw error }
                    logger.notice("grew the LMDB map", metadata: ["bytes": "\(environment.info().mapSize)"])
                } catch let error as LMDBError where error.code == LMDBError.mapResized {
                    try gate.adoptResize(environment)
                }
            }
        } catch let error as LMDBError {
            return LedgerError.wrappingWrite(error, doing: operation, storeAt: path)
        } catch {
            return error
        }
    }

    /// The appends waiting at the front of the queue (up to the cap), taken to share a commit already under way.
    private func takeQueuedAppends() -> [Job] {
        condition.lock()
        defer { condition.unlock() }
        var count = 0
        var taken = 0
        while taken < queue.count, case .append = queue[taken],
            count + queue[taken].eventCount <= maximumEventsPerCommit
        {
            count += queue[taken].eventCount
            taken += 1
        }
        let group = Array(queue.prefix(taken))
        queue.removeFirst(taken)
        return group
    }

    /// Runs a write closure (when given) and then appends in one transaction with one fsync. The appends
    /// are `jobs`' and, after a closure, those that queued while it ran: an append that waited behind a
    /// projection chunk shares the chunk's commit instead of paying a second one.
    private func commit(
        body: (@Sendable (LedgerWriteTransaction) throws -> Void)?, then jobs: [Job], codec: RecordCodec
    ) {
        var appends = body == nil ? jobs : []
        var appendsTaken = body == nil
        var results: [Result<[AppendOutcome], any Error>] = []
        var bodyFailure: (any Error)?
        let commitFailure = transactionFailure(
            of: { transaction in
                if let body {
                    do {
                        try body(transaction)
                    } catch {
                        bodyFailure = error
                        throw error
                    }
                    if !appendsTaken {
                        appends = takeQueuedAppends()
                        appendsTaken = true
                    }
                }
                results = []
                for case .append(let events, _) in appends {
                    do {
                        results.append(.success(try transaction.append(events)))
                    } catch let error as LedgerError
                        where error.kind == .conflict || error.kind == .invalidEvent
                    {
                        results.append(.failure(error))
                    }
                }
            }, codec: codec,
            doing: appends.isEmpty ? "writing to the store" : "appending \(appends.count) batches")
        if body != nil, case .write(_, let complete) = jobs[0] { complete(commitFailure) }
        if let commitFailure, bodyFailure == nil, !appends.isEmpty {
            logger.error("group commit failed", metadata: ["error": "\(commitFailure)"])
        }
        for (index, job) in appends.enumerated() {
            if let commitFailure {
                job.fail(commitFailure)
            } else if case .append(_, let complete) = job {
                complete(results[index])
            }
        }
    }

    /// Trains a zstd dictionary when the log crossed a threshold; never fails an append.
    private func train(codec: RecordCodec) {
        let due: DictionaryTrainer.Samples?
        do {
            due = try gate.shared {
                try environment.read { transaction in
                    try trainer.samplesIfDue(
                        in: LedgerSnapshot(
                            transaction: transaction, databases: databases, codec: codec,
                            dictionaries: dictionaries, recentEventIds: recentEventIds))
                }
            }
        } catch {
            logger.warning("reading samples for a zstd dictionary failed", metadata: ["error": "\(error)"])
            return
        }
        guard let due else { return }
        do {
            let dictionary = try trainer.train(due)
            if let failure = transactionFailure(
                of: { try trainer.install(dictionary, samples: due, in: $0) }, codec: codec,
                doing: "installing a zstd dictionary")
            {
                throw failure
            }
            logger.info(
                "trained a zstd dictionary",
                metadata: [
                    "id": "\(dictionary.id)", "bytes": "\(dictionary.bytes.count)",
                    "events": "\(due.headPosition)",
                ])
        } catch {
            logger.warning(
                "training a zstd dictionary failed; records stay compressed without it",
                metadata: ["error": "\(error)"])
        }
    }
}

/// A value handed from the writer thread to the caller it completes.
///
/// Sendable: written once on the writer thread before the completion that resumes the reader, which reads it
/// only after; the continuation's resume orders the two.
private final class ResultSlot<Value>: @unchecked Sendable {
    var value: Value?
}

/// Gathers the outcomes of several batches and hands them over, in order, when the last one arrives.
///
/// Sendable: the slots are guarded by a mutex, and `done` runs once, after the last slot is filled.
private final class ResultCollector: Sendable {
    private struct Slots {
        var results: [Result<[AppendOutcome], any Error>?]
        var missing: Int
    }

    private let slots: Mutex<Slots>
    private let done: @Sendable ([Result<[AppendOutcome], any Error>]) -> Void

    init(count: Int, done: @escaping @Sendable ([Result<[AppendOutcome], any Error>]) -> Void) {
        slots = Mutex(Slots(results: Array(repeating: nil, count: count), missing: count))
        self.done = done
    }

    func set(_ index: Int, _ result: Result<[AppendOutcome], any Error>) {
        let finished: [Result<[AppendOutcome], any Error>]? = slots.withLock { slots in
            slots.results[index] = result
            slots.missing -= 1
            return slots.missing == 0 ? slots.results.map { $0! } : nil
        }
        if let finished { done(finished) }
    }
}
