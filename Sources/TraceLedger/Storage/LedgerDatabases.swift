import LMDBKit

/// The named LMDB databases of a store (see docs/record-format.md for each key and value).
///
/// Sendable: only database handles, valid for the environment's lifetime.
struct LedgerDatabases: Sendable {
    /// position (u64 BE) → record; written with MDB_APPEND.
    let events: Database
    /// eventId (16 bytes) → position: permanent idempotency.
    let eventIds: Database
    /// traceId → positions (duplicate-sorted, fixed 8-byte values).
    let traces: Database
    /// `domain/entityId` → positions; an entity's version is its number of positions.
    let streams: Database
    /// actor → positions.
    let actors: Database
    /// name → value: format, chain head, zstd dictionaries.
    let meta: Database
    /// consumer name → its replay checkpoint (see `ConsumerState`).
    let consumers: Database
    /// consumer name ‖ 0 ‖ position (u64 BE) → a dead letter (see `DeadLetter`).
    let deadLetters: Database

    static let names = [
        "events", "event_ids", "traces", "streams", "actors", "meta", "consumers", "dead_letters",
    ]

    /// Opens the databases; with `create`, creates the missing ones (the transaction must be a write transaction).
    static func open(in environment: Environment, transaction: Transaction, create: Bool) throws
        -> LedgerDatabases
    {
        let base: DatabaseFlags = create ? [.create] : []
        let positions: DatabaseFlags = base.union([.duplicateSort, .duplicateFixed])
        return LedgerDatabases(
            events: try environment.openDatabase(named: "events", flags: base, in: transaction),
            eventIds: try environment.openDatabase(named: "event_ids", flags: base, in: transaction),
            traces: try environment.openDatabase(named: "traces", flags: positions, in: transaction),
            streams: try environment.openDatabase(named: "streams", flags: positions, in: transaction),
            actors: try environment.openDatabase(named: "actors", flags: positions, in: transaction),
            meta: try environment.openDatabase(named: "meta", flags: base, in: transaction),
            // Added after format 1 was first written: created on open, so older stores gain them.
            consumers: try environment.openDatabase(named: "consumers", flags: .create, in: transaction),
            deadLetters: try environment.openDatabase(named: "dead_letters", flags: .create, in: transaction))
    }
}
