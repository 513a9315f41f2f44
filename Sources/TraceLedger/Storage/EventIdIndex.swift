import Foundation
import LMDBKit

/// The event-id index as a log and a settled tree, so that a commit does not rewrite random leaves of a B-tree
/// for every event it appends.
///
/// Event ids are random, so their keys are too (`PositionIndex.eventId`). In one tree, a commit of 1,000 events
/// at 1M events rewrote about 960 of its ~10,000 leaves, copy-on-write, and fsynced them; with a small recent
/// tree beside it (format 3) still about 500 of that tree's leaves (docs/performance.md). Now each event's key
/// goes into `event_id_log`, keyed by position and written with `MDB_APPEND`: a commit of 1,000 events fills
/// a few of its pages. The log's unsettled entries are looked up in memory (`RecentEventIds`), which every
/// process fills from the log itself.
///
/// Once the log holds `settleAt` entries up to the committed head, they are a generation: sorted by key, they
/// are swept into `event_ids`, in each write transaction that appends as many as it appended and `slice` more,
/// so each leaf of the large tree is rewritten about once per generation. `meta` holds the generation's last
/// position and how many of its sorted entries have moved (`MetaKey.eventIdsSettling`), so any process can go
/// on with a sweep another began. The transaction that moves the last of them deletes the generation from
/// the log, so for every snapshot each position below the log's first is in `event_ids`, and each position
/// from the log's first to the head is in the log (the swept part of a generation in both).
///
/// `verify` digests `event_ids` with the log's entries not yet moved, and `repair-indexes` rebuilds the index
/// into `event_ids` alone with an empty log.
extension Ledger {
    /// How many new event ids make a generation of the event-id index, sorted and swept into `event_ids`
    /// together (`EventIdIndex.settleAt`), and how many more of them a transaction that appends moves: what the
    /// benchmark's raw LMDB floor reads, so that it sweeps at TraceLedger's sizes whatever they are.
    public static var eventIdSweep: (generation: Int, slice: Int) {
        (EventIdIndex.settleAt, EventIdIndex.slice)
    }
}

enum EventIdIndex {
    /// How many entries of the log make a generation: 131,072, or `TRACELEDGER_EVENT_IDS_SETTLE_AT` (tests sweep
    /// every few hundred events with it). At 4M events a sweep rewrites most leaves of `event_ids`, so a larger
    /// generation saves pages (docs/performance.md, "The writer's CPU, profiled"); memory holds up to two.
    static let settleAt: Int = {
        guard let text = ProcessInfo.processInfo.environment["TRACELEDGER_EVENT_IDS_SETTLE_AT"],
            let value = Int(text), value >= 1
        else { return 131_072 }
        return value
    }()

    /// Entries a sweep moves in one transaction beyond as many as the transaction appended.
    static var slice: Int { max(1, settleAt / 16) }

    /// An event-id key as the number memory files it under.
    static func number(ofKey key: [UInt8]) -> UInt64 { UInt64(bigEndianBytes: key) }

    /// A sweep under way: the generation's last position, and how many of its sorted entries are in `event_ids`.
    struct Sweep: Equatable {
        let last: UInt64
        let moved: Int

        init(last: UInt64, moved: Int) {
            self.last = last
            self.moved = moved
        }

        init(encoded bytes: [UInt8]) throws {
            guard bytes.count == 16 else {
                throw LedgerError(
                    .corrupted,
                    "the event-id index's sweep marker is damaged (\(bytes.count) bytes); run "
                        + "`traceledger repair-indexes`")
            }
            last = UInt64(bigEndianBytes: bytes[0..<8])
            moved = Int(UInt64(bigEndianBytes: bytes[8..<16]))
        }

        var encoded: [UInt8] { last.bigEndianBytes + UInt64(moved).bigEndianBytes }

        static func read(in transaction: Transaction, databases: LedgerDatabases) throws -> Sweep? {
            try transaction.value(in: databases.meta, key: MetaKey.eventIdsSettling.bytes).map {
                try Sweep(encoded: $0)
            }
        }
    }

    /// The log's first position in `transaction`, or nil when the log is empty.
    static func logStart(in transaction: Transaction, databases: LedgerDatabases) throws -> UInt64? {
        try transaction.withCursor(on: databases.eventIdLog) { cursor in
            try cursor.first().map { try LedgerSnapshot.position(ofKey: $0.key) }
        }
    }

    /// A filter of every key in `event_ids` (`SettledKeyFilter`), with room for as many again, and at least for a
    /// generation.
    static func settledKeyFilter(in transaction: Transaction, databases: LedgerDatabases) throws
        -> SettledKeyFilter
    {
        let entries = try transaction.statistics(of: databases.eventIds).entries
        var filter = SettledKeyFilter(capacity: max(2 * entries, settleAt))
        try transaction.withCursor(on: databases.eventIds) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                filter.add(UInt64(bigEndianBytes: current.key))
                entry = try cursor.nextKey()
            }
        }
        return filter
    }

    /// The log's keys for positions `first...last`, which must all be there: the log is gapless from its start.
    static func readLog(
        from first: UInt64, through last: UInt64, in transaction: Transaction, databases: LedgerDatabases
    )
        throws -> [UInt64]
    {
        guard first <= last else { return [] }
        var keys: [UInt64] = []
        keys.reserveCapacity(Int(last - first + 1))
        try transaction.withCursor(on: databases.eventIdLog) { cursor in
            var entry = try first.bigEndianBytes.withUnsafeBytes { try cursor.seek($0) }
            var expected = first
            while let current = entry, expected <= last {
                let position = try LedgerSnapshot.position(ofKey: current.key)
                guard position == expected, current.value.count == 8 else { break }
                keys.append(UInt64(bigEndianBytes: current.value))
                expected += 1
                entry = try cursor.next()
            }
            guard expected > last else {
                throw LedgerError(
                    .corrupted,
                    "the event-id log is damaged: it lacks a readable entry for position \(expected); run "
                        + "`traceledger repair-indexes`")
            }
        }
        return keys
    }

    /// Writes the index entry of a new event: its key at its position in the log.
    static func add(key: [UInt8], position: [UInt8], in transaction: Transaction, databases: LedgerDatabases)
        throws
    {
        try transaction.put(in: databases.eventIdLog, key: position, value: key, flags: .append)
    }

    /// Moves up to `limit` entries of the generation under way into `event_ids`, or begins a generation when the
    /// log holds `settleAt` entries up to `committedHead` (the head the write transaction began at: the entries
    /// up to there are committed, so memory may sort them).
    ///
    /// - Returns: how many entries were moved.
    @discardableResult
    static func settle(
        in transaction: Transaction, databases: LedgerDatabases, memory: RecentEventIds,
        committedHead: UInt64,
        limit: Int = slice
    ) throws -> Int {
        guard let start = try logStart(in: transaction, databases: databases) else { return 0 }
        let sweep: Sweep
        if let underWay = try Sweep.read(in: transaction, databases: databases) {
            sweep = underWay
        } else {
            guard committedHead >= start, committedHead - start + 1 >= UInt64(settleAt) else { return 0 }
            sweep = Sweep(last: committedHead, moved: 0)
        }
        guard sweep.last >= start else {
            throw LedgerError(
                .corrupted,
                "the event-id index's sweep marker names position \(sweep.last), below the log's first "
                    + "(\(start)); run `traceledger repair-indexes`")
        }
        let entries = try memory.generation(from: start, through: sweep.last) { first, last in
            try readLog(from: first, through: last, in: transaction, databases: databases)
        }
        let end = min(entries.count, sweep.moved + limit)
        for entry in entries[min(sweep.moved, end)..<end] {
            try transaction.put(
                in: databases.eventIds, key: entry.key.bigEndianBytes, value: entry.position.bigEndianBytes)
        }
        if end == entries.count {
            try transaction.deleteEntries(in: databases.eventIdLog, through: sweep.last.bigEndianBytes)
            _ = try transaction.delete(in: databases.meta, key: MetaKey.eventIdsSettling.bytes)
        } else {
            try transaction.put(
                in: databases.meta, key: MetaKey.eventIdsSettling.bytes,
                value: Sweep(last: sweep.last, moved: end).encoded)
        }
        return end - sweep.moved
    }

    /// The log's entries that are not in `event_ids`: all but the moved part of a generation under way. Read
    /// from the log itself, not from memory (`verify` runs on it).
    static func unsettledEntries(in transaction: Transaction, databases: LedgerDatabases) throws
        -> [RecentEventIds.Entry]
    {
        var entries: [RecentEventIds.Entry] = []
        try transaction.withCursor(on: databases.eventIdLog) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                guard current.value.count == 8 else {
                    throw LedgerError(
                        .corrupted,
                        "the event-id log is damaged: the entry of position \(try LedgerSnapshot.position(ofKey: current.key)) "
                            + "holds \(current.value.count) bytes, not an 8-byte key; run `traceledger repair-indexes`"
                    )
                }
                entries.append(
                    RecentEventIds.Entry(
                        key: UInt64(bigEndianBytes: current.value),
                        position: try LedgerSnapshot.position(ofKey: current.key)))
                entry = try cursor.next()
            }
        }
        guard let sweep = try Sweep.read(in: transaction, databases: databases) else { return entries }
        let generationCount = entries.prefix { $0.position <= sweep.last }.count
        var generation = entries[..<generationCount].sorted()
        generation.removeFirst(min(sweep.moved, generation.count))
        return generation + entries[generationCount...]
    }
}
