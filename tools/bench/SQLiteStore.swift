import Foundation
import TraceLedger

/// What a user would pick instead: SQLite in WAL mode with synchronous=FULL (an fsync at every commit), one
/// table with the same columns, a unique index on the event id and indexes on trace, stream and actor,
/// prepared statements, and the same batches as the other stores.
final class SQLiteStore: BenchStore {
    let name = "SQLite"
    let path: String
    private let connection: SQLiteConnection
    private let insert: SQLiteStatement
    private let byTrace: SQLiteStatement
    private let byStream: SQLiteStatement
    private static let columns =
        "position, event_id, trace_id, domain, entity_id, type, origin, actor, occurred_at, recorded_at, payload"

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory
        connection = try SQLiteConnection(path: directory + "/events.sqlite")
        try connection.execute(
            """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE events (
                position INTEGER PRIMARY KEY, event_id BLOB NOT NULL, trace_id TEXT NOT NULL, domain TEXT NOT NULL,
                entity_id TEXT NOT NULL, type TEXT NOT NULL, origin TEXT NOT NULL, actor TEXT NOT NULL,
                occurred_at INTEGER NOT NULL, recorded_at INTEGER NOT NULL, payload BLOB NOT NULL);
            CREATE UNIQUE INDEX events_event_id ON events(event_id);
            CREATE INDEX events_trace ON events(trace_id);
            CREATE INDEX events_stream ON events(domain, entity_id);
            CREATE INDEX events_actor ON events(actor);
            """)
        insert = try connection.prepare(
            "INSERT INTO events (\(Self.columns)) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        byTrace = try connection.prepare(
            "SELECT \(Self.columns) FROM events WHERE trace_id = ? ORDER BY position")
        byStream = try connection.prepare(
            "SELECT \(Self.columns) FROM events WHERE domain = ? AND entity_id = ? ORDER BY position")
    }

    func append(_ batch: [ProposedEvent]) async throws {
        let recordedAt = Timestamp.now().nanosecondsSinceEpoch
        try connection.execute("BEGIN")
        do {
            for event in batch {
                let content = event.content
                insert.bind(1, blob: content.eventId.bytes)
                insert.bind(2, text: content.traceId)
                insert.bind(3, text: content.domain.rawValue)
                insert.bind(4, text: content.entityId)
                insert.bind(5, text: content.type)
                insert.bind(6, text: content.origin)
                insert.bind(7, text: content.actor)
                insert.bind(8, content.occurredAt.nanosecondsSinceEpoch)
                insert.bind(9, recordedAt)
                insert.bind(10, blob: content.payload)
                _ = try insert.step()
                insert.reset()
            }
        } catch {
            try connection.execute("ROLLBACK")
            throw error
        }
        try connection.execute("COMMIT")
    }

    func eventIds(forTrace traceId: String) throws -> [EventID] {
        byTrace.bind(1, text: traceId)
        return try rows(of: byTrace).map(\.eventId)
    }

    func eventIds(forStream stream: StreamKey) throws -> [EventID] {
        byStream.bind(1, text: stream.domain.rawValue)
        byStream.bind(2, text: stream.entityId)
        return try rows(of: byStream).map(\.eventId)
    }

    func scanAll() throws -> ScanDigest {
        let all = try connection.prepare("SELECT \(Self.columns) FROM events ORDER BY position")
        var digest = ScanDigest()
        while try all.step() { digest.add(decoded(all)) }
        return digest
    }

    func count() throws -> Int {
        let statement = try connection.prepare("SELECT COUNT(*) FROM events")
        guard try statement.step() else { throw BenchError("SQLite returned no count") }
        return Int(statement.int64(0))
    }

    func bytesOnDisk() throws -> Int {
        try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return try directoryBytes(path)
    }

    private func rows(of statement: SQLiteStatement) throws -> [DecodedEvent] {
        defer { statement.reset() }
        var events: [DecodedEvent] = []
        while try statement.step() { events.append(decoded(statement)) }
        return events
    }

    private func decoded(_ row: SQLiteStatement) -> DecodedEvent {
        let id = row.blob(1)
        let eventId = id.count == 16 ? id.withUnsafeBytes { EventID(bytes: $0) } : EventID(high: 0, low: 0)
        return DecodedEvent(
            position: UInt64(row.int64(0)), eventId: eventId, traceId: row.text(2), domain: row.text(3),
            entityId: row.text(4), type: row.text(5), origin: row.text(6), actor: row.text(7),
            occurredAt: row.int64(8), recordedAt: row.int64(9), payload: row.blob(10))
    }
}
