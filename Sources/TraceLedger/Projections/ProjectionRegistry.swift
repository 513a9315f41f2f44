import LMDBKit

/// The `projections` database: which generation of each projection's database is current, how far each has
/// folded the log (its checkpoint), which generation a rebuild is building, and the log's latest occurredAt.
///
/// A projection's database is `projection.<domain>.<generation>`. A rebuild folds into a new generation
/// while readers keep using the current one, then switches the pointer and drops the old database in one
/// write transaction: a reader sees the old state or the new one, never half of either.
///
/// Not Sendable: it holds a transaction, bound to its thread.
struct ProjectionRegistry {
    /// One projection database: its generation and the last position folded into it.
    struct Entry: Equatable {
        var generation: UInt32
        var checkpoint: UInt64
    }

    static let databaseName = "projections"
    private static let clockKey = Array("clock".utf8)

    let environment: Environment
    let transaction: Transaction
    let database: Database

    /// Opens the registry, or nil when it does not exist: nothing was ever projected.
    static func open(in ledger: Ledger, transaction: Transaction) throws -> ProjectionRegistry? {
        do {
            let database = try ledger.environment.openDatabase(named: databaseName, in: transaction)
            return ProjectionRegistry(
                environment: ledger.environment, transaction: transaction, database: database)
        } catch  where error.code == LMDBError.notFound {
            return nil
        }
    }

    /// Opens the registry, creating it when missing (`transaction` must be a write transaction).
    static func create(in ledger: Ledger, transaction: Transaction) throws -> ProjectionRegistry {
        let database = try ledger.environment.openDatabase(
            named: databaseName, flags: [.create], in: transaction)
        return ProjectionRegistry(
            environment: ledger.environment, transaction: transaction, database: database)
    }

    static func databaseName(of domain: Domain, generation: UInt32) -> String {
        "projection.\(domain.rawValue).\(generation)"
    }

    private static func key(_ domain: Domain, building: Bool) -> [UInt8] {
        Array((building ? "\(domain.rawValue).building" : domain.rawValue).utf8)
    }

    func entry(_ domain: Domain, building: Bool = false) throws -> Entry? {
        try transaction.withValue(in: database, key: Self.key(domain, building: building)) { raw in
            guard let raw, raw.count == 12 else { return nil }
            let generation = raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return Entry(
                generation: generation,
                checkpoint: UInt64(bigEndianBytes: UnsafeRawBufferPointer(rebasing: raw[4...])))
        }
    }

    func setEntry(_ entry: Entry, for domain: Domain, building: Bool = false) throws {
        let generation = (0..<4).map { UInt8(truncatingIfNeeded: entry.generation >> UInt32(24 - 8 * $0)) }
        try transaction.put(
            in: database, key: Self.key(domain, building: building),
            value: generation + entry.checkpoint.bigEndianBytes)
    }

    func removeEntry(for domain: Domain, building: Bool) throws {
        try transaction.delete(in: database, key: Self.key(domain, building: building))
    }

    /// The projection database of `entry`, created when missing if `create`.
    func projectionDatabase(_ domain: Domain, _ entry: Entry, create: Bool) throws -> Database {
        try environment.openDatabase(
            named: Self.databaseName(of: domain, generation: entry.generation),
            flags: create ? [.create] : [],
            in: transaction)
    }

    /// The latest occurredAt among the events up to `checkpoint`: reconcile's "now".
    func clock() throws -> (checkpoint: UInt64, latestOccurredAt: Timestamp?) {
        try transaction.withValue(in: database, key: Self.clockKey) { raw in
            guard let raw, raw.count == 16 else { return (0, nil) }
            let checkpoint = UInt64(bigEndianBytes: UnsafeRawBufferPointer(rebasing: raw[0..<8]))
            let nanoseconds = Int64(
                bitPattern: UInt64(bigEndianBytes: UnsafeRawBufferPointer(rebasing: raw[8...])))
            return (checkpoint, Timestamp(nanosecondsSinceEpoch: nanoseconds))
        }
    }

    func setClock(checkpoint: UInt64, latestOccurredAt: Timestamp) throws {
        try transaction.put(
            in: database, key: Self.clockKey,
            value: checkpoint.bigEndianBytes
                + UInt64(bitPattern: latestOccurredAt.nanosecondsSinceEpoch).bigEndianBytes)
    }
}
