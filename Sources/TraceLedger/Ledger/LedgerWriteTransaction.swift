import LMDBKit

/// The one write transaction of the store, handed to a `Ledger.write(_:)` closure on the writer thread: it
/// commits, durably, when the closure returns and is discarded whole when it throws.
///
/// Reads through `snapshot` see this transaction's own writes. Appends made here are checked like any other
/// (`Ledger.append(_:)`) and commit together with the closure's other writes, so an operator's action and the
/// event that records it land at once or not at all.
///
/// Not Sendable, and valid only inside the closure: an LMDB write transaction belongs to its thread.
public final class LedgerWriteTransaction {
    /// The store as this transaction sees it, its own writes included.
    public let snapshot: LedgerSnapshot
    let transaction: Transaction
    let databases: LedgerDatabases
    private let writer: LedgerWriter
    private var appender: BatchAppender?

    init(snapshot: LedgerSnapshot, writer: LedgerWriter) {
        self.snapshot = snapshot
        self.transaction = snapshot.transaction
        self.databases = snapshot.databases
        self.writer = writer
    }

    /// The writer's second thread for the records of large batches.
    var recordLane: RecordCompressionLane { writer.recordLane }

    /// The head after this transaction's appends, or nil when it appended nothing.
    var appendedThrough: UInt64? { appender?.head.position }

    /// Whether other work waits for the writer: long jobs (a projection rebuild) end their chunk early when it
    /// does, so an append waits behind at most a short piece of one.
    public var othersAreWaiting: Bool { writer.hasQueuedWork }

    /// Appends `events` as one atomic batch within this transaction.
    ///
    /// - Throws: `LedgerError` `.conflict` or `.invalidEvent` (with `batchIndex`) when the batch cannot be
    ///   appended; nothing of the batch is written then, and the transaction can go on.
    public func append(_ events: [ProposedEvent]) throws -> [AppendOutcome] {
        if appender == nil { appender = try BatchAppender(in: self) }
        return try appender!.append(events)
    }

    /// Writes records a primary committed, re-created and checked hash for hash (a replica's apply).
    public func applyReplicated(_ records: [ReplicatedRecord]) throws -> [ReplicaOutcome] {
        if appender == nil { appender = try BatchAppender(in: self) }
        return try appender!.applyReplicated(records)
    }

    /// Stores `value` under `key` in `database`.
    func put(_ value: [UInt8], at key: [UInt8], in database: Database, flags: PutFlags = []) throws {
        try transaction.put(in: database, key: key, value: value, flags: flags)
    }

    /// Deletes `key` from `database`; false when it was absent.
    @discardableResult
    func delete(_ key: [UInt8], in database: Database) throws -> Bool {
        try transaction.delete(in: database, key: key)
    }
}
