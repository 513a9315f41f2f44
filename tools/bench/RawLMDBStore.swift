import Foundation
import LMDBKit
import TraceLedger

/// The physical floor of this design: the same LMDB databases and keys as TraceLedger (events by position
/// with MDB_APPEND, event ids under 8 bytes of the id (TraceLedger: of its SHA-256, the same layout) first in
/// `event_id_log` (position → key, MDB_APPEND) and in memory, then, 65,536 at a time, sorted and swept into
/// `event_ids`, 4,096 entries a commit more than it appends, as TraceLedger's `EventIdIndex` does,
/// event ids/traces/streams/actors as DUPSORT+DUPFIXED positions, and `orders`: an order
/// reference → its trace, for the references TraceLedger records), written straight through LMDBKit with no
/// hashing, validation, dedupe check or compression, and committed durably. What TraceLedger decides by
/// reading its indexes (which references are new) the floor decides from memory.
final class RawLMDBStore: BenchStore {
    let name = "raw LMDB"
    let path: String
    private let environment: Environment
    private let events: Database
    private let eventIds: Database
    private let eventIdLog: Database
    private let traces: Database
    private let streams: Database
    private let actors: Database
    private let orders: Database
    /// Entity ids of order, payment and invoice streams: a reference to one is found through `streams`, and
    /// TraceLedger does not put it in `orders`.
    private var orderStreamIds: Set<String> = []
    /// The references in `orders`.
    private var orderReferences: Set<String> = []
    private var nextPosition: UInt64 = 1
    private var record: [UInt8] = []

    init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        environment = try Environment(path: path)
        let positions: DatabaseFlags = [.create, .duplicateSort, .duplicateFixed]
        (events, eventIds, eventIdLog, traces, streams, actors, orders) = try environment.write {
            [environment] transaction in
            (
                try environment.openDatabase(named: "events", flags: .create, in: transaction),
                try environment.openDatabase(named: "event_ids", flags: positions, in: transaction),
                try environment.openDatabase(named: "event_id_log", flags: .create, in: transaction),
                try environment.openDatabase(named: "traces", flags: positions, in: transaction),
                try environment.openDatabase(named: "streams", flags: positions, in: transaction),
                try environment.openDatabase(named: "actors", flags: positions, in: transaction),
                try environment.openDatabase(named: "orders", flags: .create, in: transaction)
            )
        }
    }

    func append(_ batch: [ProposedEvent]) async throws {
        let recordedAt = Timestamp.now().nanosecondsSinceEpoch
        let committedHead = nextPosition - 1
        try environment.write { transaction in
            for event in batch {
                let content = event.content
                let key = positionKey(nextPosition)
                RawRecord.encode(content, recordedAt: recordedAt, into: &record)
                try transaction.put(in: events, key: key, value: record, flags: .append)
                try transaction.put(
                    in: eventIdLog, key: key, value: positionKey(content.eventId.low), flags: .append)
                unsettled[content.eventId.low] = nextPosition
                try transaction.put(
                    in: traces, key: Array(content.traceId.utf8), value: key, flags: .appendDuplicate)
                try transaction.put(
                    in: streams, key: Array(content.streamKey.description.utf8), value: key,
                    flags: .appendDuplicate)
                try transaction.put(
                    in: actors, key: Array(content.actor.utf8), value: key, flags: .appendDuplicate)
                let ownId =
                    [Domain.order, .payment, .invoice].contains(content.domain) ? content.entityId : nil
                if let ownId { orderStreamIds.insert(ownId) }
                for id in event.orderReferenceIds
                where id != ownId && !orderStreamIds.contains(id) && orderReferences.insert(id).inserted {
                    try transaction.put(in: orders, key: Array(id.utf8), value: Array(content.traceId.utf8))
                }
                nextPosition += 1
            }
            try settleEventIds(in: transaction, committedHead: committedHead, limit: batch.count + Self.slice)
        }
    }

    /// The log's entries not yet in a generation, by key (TraceLedger's `RecentEventIds`; the floor's ids never
    /// repeat).
    private var unsettled: [UInt64: UInt64] = [:]
    /// The log's first position (TraceLedger reads it from the log).
    private var logStart: UInt64 = 1
    /// The generation being swept, sorted by key, and how many of it have moved (TraceLedger keeps the count
    /// in `meta`).
    private var generation: [(key: UInt64, position: UInt64)] = []
    private var moved = 0

    /// TraceLedger's generation and slice (read from it: a constant, not a path through the engine), so that a
    /// change of either, or `TRACELEDGER_EVENT_IDS_SETTLE_AT`, moves the floor with it.
    private static let generationSize = Ledger.eventIdSweep.generation
    private static let slice = Ledger.eventIdSweep.slice

    /// TraceLedger's `EventIdIndex.settle`, at the same sizes: once the log holds a generation of entries up to
    /// the committed head, they are sorted by key and moved into `event_ids`, the commit's own number of entries
    /// and a slice more each commit; the commit that moves the last deletes them from the log.
    private func settleEventIds(in transaction: Transaction, committedHead: UInt64, limit: Int) throws {
        if generation.isEmpty {
            guard committedHead >= logStart, committedHead - logStart + 1 >= Self.generationSize else {
                return
            }
            generation = unsettled.filter { $0.value <= committedHead }.map { ($0.key, $0.value) }.sorted {
                $0.key < $1.key
            }
            unsettled = unsettled.filter { $0.value > committedHead }
            moved = 0
        }
        let end = min(generation.count, moved + limit)
        for entry in generation[moved..<end] {
            try transaction.put(in: eventIds, key: positionKey(entry.key), value: positionKey(entry.position))
        }
        moved = end
        guard moved == generation.count else { return }
        let last = generation.map(\.position).max() ?? 0
        try transaction.deleteEntries(in: eventIdLog, through: positionKey(last))
        logStart = last + 1
        generation = []
    }

    func eventIds(forTrace traceId: String) throws -> [EventID] {
        try decodedEvents(in: traces, key: Array(traceId.utf8)).map(\.eventId)
    }

    func eventIds(forStream stream: StreamKey) throws -> [EventID] {
        try decodedEvents(in: streams, key: Array(stream.description.utf8)).map(\.eventId)
    }

    private func decodedEvents(in index: Database, key: [UInt8]) throws -> [DecodedEvent] {
        try environment.read { transaction in
            let positions: [UInt64] = try transaction.withCursor(on: index) { cursor in
                try key.withUnsafeBytes { key in
                    guard try cursor.find(key) != nil else { return [] }
                    var positions: [UInt64] = []
                    var page = try cursor.currentValues()
                    while let values = page {
                        for offset in stride(from: 0, to: values.count, by: 8) {
                            positions.append(
                                position(UnsafeRawBufferPointer(rebasing: values[offset..<offset + 8])))
                        }
                        page = try cursor.nextValues()
                    }
                    return positions
                }
            }
            return try positions.map { position in
                try transaction.withValue(in: events, key: positionKey(position)) { raw in
                    guard let raw else {
                        throw BenchError("raw LMDB: an index names position \(position), which is missing")
                    }
                    return RawRecord.decode(raw, position: position)
                }
            }
        }
    }

    func scanAll() throws -> ScanDigest {
        try environment.read { transaction in
            try transaction.withCursor(on: events) { cursor in
                var digest = ScanDigest()
                var entry = try cursor.first()
                while let current = entry {
                    digest.add(RawRecord.decode(current.value, position: position(current.key)))
                    entry = try cursor.next()
                }
                return digest
            }
        }
    }

    func count() throws -> Int { try environment.read { try $0.statistics(of: events).entries } }

    func bytesOnDisk() throws -> Int { try directoryBytes(path) }

    private func positionKey(_ position: UInt64) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(8)
        RawRecord.appendBigEndian(position, to: &key)
        return key
    }

    private func position(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0
        for byte in raw.prefix(8) { value = value << 8 | UInt64(byte) }
        return value
    }
}
