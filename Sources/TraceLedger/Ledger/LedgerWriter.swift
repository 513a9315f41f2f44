import Foundation
import LMDBKit
import Logging
import Synchronization

/// The ledger's one writer: a dedicated thread that owns every LMDB write transaction and group-commits.
///
/// Appends that arrive while a commit is under way wait together and share the next transaction and its
/// fsync; each caller is answered only after that commit is durable. A batch rejected by its checks fails
/// alone, the others of its group still commit. Sendable: the queue is guarded by a condition lock and the
/// LMDB work happens only on the writer thread.
final class LedgerWriter: @unchecked Sendable {
    private struct Request {
        let events: [ProposedEvent]
        /// Answers the caller once the batch is durably committed or rejected.
        let complete: @Sendable (Result<[AppendOutcome], any Error>) -> Void
    }

    private let environment: Environment
    private let databases: LedgerDatabases
    private let dictionaries: DictionaryCache
    private let trainer: DictionaryTrainer
    private let logger: Logger
    private let condition = NSCondition()
    private var queue: [Request] = []
    private var running = false
    private var stopping = false
    /// Cap on events per group commit, so one transaction's dirty pages stay bounded.
    private let maximumEventsPerCommit = 50_000

    init(environment: Environment, databases: LedgerDatabases, dictionaries: DictionaryCache, logger: Logger)
    {
        self.environment = environment
        self.databases = databases
        self.dictionaries = dictionaries
        self.trainer = DictionaryTrainer(
            environment: environment, databases: databases, dictionaries: dictionaries)
        self.logger = logger
    }

    /// Queues `events` as one atomic batch and returns once it is durably committed (or rejected).
    func append(_ events: [ProposedEvent]) async throws -> [AppendOutcome] {
        if events.isEmpty { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            enqueue([Request(events: events, complete: { continuation.resume(with: $0) })])
        }
    }

    /// Queues several atomic batches at once, in order, so they share group commits; returns each batch's
    /// outcome once all of them are durably committed or rejected.
    func append(batches: [[ProposedEvent]]) async -> [Result<[AppendOutcome], any Error>] {
        if batches.isEmpty { return [] }
        return await withCheckedContinuation { continuation in
            let collector = ResultCollector(count: batches.count) { continuation.resume(returning: $0) }
            var requests: [Request] = []
            for (index, batch) in batches.enumerated() {
                if batch.isEmpty {
                    collector.set(index, .success([]))
                } else {
                    requests.append(Request(events: batch, complete: { collector.set(index, $0) }))
                }
            }
            if !requests.isEmpty { enqueue(requests) }
        }
    }

    private func enqueue(_ requests: [Request]) {
        condition.lock()
        if stopping {
            condition.unlock()
            let closed = LedgerError(.storage, "the ledger is closed; open it again to append")
            for request in requests { request.complete(.failure(closed)) }
            return
        }
        queue.append(contentsOf: requests)
        if !running {
            running = true
            let thread = Thread { [self] in run() }
            thread.name = "traceledger-writer"
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    /// Lets the writer finish what is queued, then end its thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func nextGroup() -> [Request]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            if stopping {
                running = false
                return nil
            }
            condition.wait()
        }
        var count = 0
        var taken = 0
        while taken < queue.count, taken == 0 || count + queue[taken].events.count <= maximumEventsPerCommit {
            count += queue[taken].events.count
            taken += 1
        }
        let group = Array(queue.prefix(taken))
        queue.removeFirst(taken)
        return group
    }

    private func run() {
        let codec = RecordCodec()
        while let group = nextGroup() {
            commit(group, codec: codec)
            trainer.trainIfDue(codec: codec, logger: logger)
        }
    }

    private func commit(_ group: [Request], codec: RecordCodec) {
        var results: [Result<[AppendOutcome], any Error>] = []
        do {
            try environment.write { transaction in
                let appender = try BatchAppender(
                    transaction: transaction, databases: databases, codec: codec, dictionaries: dictionaries)
                for request in group {
                    do {
                        results.append(.success(try appender.append(request.events)))
                    } catch let error as LedgerError
                        where error.kind == .conflict || error.kind == .invalidEvent
                    {
                        results.append(.failure(error))
                    }
                }
                try appender.finish()
            }
        } catch {
            let failure = LedgerError.wrapping(error, doing: "appending \(group.count) batches")
            logger.error("group commit failed", metadata: ["error": "\(failure)"])
            for request in group { request.complete(.failure(failure)) }
            return
        }
        for (request, result) in zip(group, results) { request.complete(result) }
    }
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
