import LMDBKit

/// The `projections` database: which generation of each projection is current, how far each has folded the
/// log (its checkpoint), which generation a rebuild is building, the generations left to delete, and the
/// log's latest occurredAt.
///
/// Every projection's state lives in `projection_data` under its generation (`ProjectionIndex`). A rebuild
/// folds into a new generation while readers keep using the current one, then switches the pointer in one
/// write transaction: a reader sees the old state or the new one, never half of either. Generations come from
/// a counter and are never reused, so two writers (a rebuild and a catch-up, in two processes) can never fold
/// into the same state; the old generation is deleted afterwards, in bounded chunks.
///
/// | key | value |
/// |---|---|
/// | `<domain>` / `<domain>.building` | generation (u32) ‖ checkpoint (u64) |
/// | `generation.next` | the next generation to hand out (u32) |
/// | `garbage` ‖ generation (u32) | empty: a generation whose data is being deleted |
/// | `clock` | checkpoint (u64) ‖ latest occurredAt (i64) |
/// | `layout` | 2: states in `projection_data` (format 1 stores had one database per generation) |
///
/// Not Sendable: it holds a snapshot, bound to its thread.
struct ProjectionRegistry {
    /// One projection generation: its number and the last position folded into it.
    struct Entry: Equatable, Sendable {
        var generation: UInt32
        var checkpoint: UInt64
    }

    private static let clockKey = Array("clock".utf8)
    private static let nextGenerationKey = Array("generation.next".utf8)
    private static let garbagePrefix = Array("garbage".utf8)
    private static let layoutKey = Array("layout".utf8)
    private static let layout: UInt32 = 2

    let snapshot: LedgerSnapshot
    private var database: Database { snapshot.databases.projections }

    init(snapshot: LedgerSnapshot) { self.snapshot = snapshot }

    private static func key(_ domain: Domain, building: Bool) -> [UInt8] {
        Array((building ? "\(domain.rawValue).building" : domain.rawValue).utf8)
    }

    func entry(_ domain: Domain, building: Bool = false) throws -> Entry? {
        guard let raw = try snapshot.value(in: database, key: Self.key(domain, building: building)),
            raw.count == 12
        else { return nil }
        return Entry(generation: UInt32(bigEndianBytes: raw), checkpoint: UInt64(bigEndianBytes: raw[4...]))
    }

    /// The projection `domain` reads from now, or nil when it was never built.
    func current(_ domain: Domain) throws -> ProjectionIndex? {
        guard let entry = try entry(domain) else { return nil }
        return ProjectionIndex(snapshot: snapshot, generation: entry.generation)
    }

    /// The latest occurredAt among the events up to `checkpoint`: reconcile's "now".
    func clock() throws -> (checkpoint: UInt64, latestOccurredAt: Timestamp?) {
        guard let raw = try snapshot.value(in: database, key: Self.clockKey), raw.count == 16 else {
            return (0, nil)
        }
        return (
            UInt64(bigEndianBytes: raw),
            Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: UInt64(bigEndianBytes: raw[8...])))
        )
    }

    /// The generations whose data is left to delete.
    func garbage() throws -> [UInt32] {
        try snapshot.transaction.withCursor(on: database) { cursor in
            var generations: [UInt32] = []
            var entry = try Self.garbagePrefix.withUnsafeBytes { try cursor.seek($0) }
            while let current = entry, current.key.starts(with: Self.garbagePrefix) {
                generations.append(UInt32(bigEndianBytes: current.key.dropFirst(Self.garbagePrefix.count)))
                entry = try cursor.next()
            }
            return generations
        }
    }

    // MARK: Writing

    /// Writes to the registry, inside one write transaction.
    ///
    /// Not Sendable: it holds the write transaction.
    struct Writer {
        let transaction: LedgerWriteTransaction
        var registry: ProjectionRegistry { ProjectionRegistry(snapshot: transaction.snapshot) }
        private var database: Database { transaction.databases.projections }

        func setEntry(_ entry: Entry, for domain: Domain, building: Bool = false) throws {
            try transaction.put(
                entry.generation.bigEndianBytes + entry.checkpoint.bigEndianBytes,
                at: ProjectionRegistry.key(domain, building: building), in: database)
        }

        func removeEntry(for domain: Domain, building: Bool) throws {
            try transaction.delete(ProjectionRegistry.key(domain, building: building), in: database)
        }

        /// A generation never handed out before.
        func newGeneration() throws -> UInt32 {
            let next =
                try transaction.snapshot.value(in: database, key: ProjectionRegistry.nextGenerationKey).map {
                    UInt32(bigEndianBytes: $0)
                } ?? 1
            try transaction.put(
                (next + 1).bigEndianBytes, at: ProjectionRegistry.nextGenerationKey, in: database)
            return next
        }

        /// Marks `generation`'s data for deletion (`ProjectionEngine` deletes it in chunks).
        func discard(_ generation: UInt32) throws {
            try transaction.put(
                [], at: ProjectionRegistry.garbagePrefix + generation.bigEndianBytes, in: database)
        }

        /// Deletes up to `limit` keys of a discarded generation; forgets it once it is empty.
        /// - Returns: whether the generation is now gone.
        func deleteData(of generation: UInt32, limit: Int) throws -> Bool {
            let prefix = generation.bigEndianBytes
            // One cursor walks the keys and deletes each where it stands (a delete by key searches the tree again).
            let emptied = try transaction.transaction.withCursor(on: transaction.databases.projectionData) {
                cursor in
                var deleted = 0
                var entry = try prefix.withUnsafeBytes { try cursor.seek($0) }
                while let current = entry, current.key.starts(with: prefix) {
                    guard deleted < limit else { return false }
                    try cursor.deleteCurrent()
                    deleted += 1
                    // Let waiting appends in after a short piece: they join this transaction's commit.
                    if deleted % 64 == 0, transaction.othersAreWaiting { return false }
                    entry = try cursor.next()
                }
                return true
            }
            guard emptied else { return false }
            try transaction.delete(ProjectionRegistry.garbagePrefix + prefix, in: database)
            return true
        }

        func setClock(checkpoint: UInt64, latestOccurredAt: Timestamp) throws {
            try transaction.put(
                checkpoint.bigEndianBytes
                    + UInt64(bitPattern: latestOccurredAt.nanosecondsSinceEpoch).bigEndianBytes,
                at: ProjectionRegistry.clockKey, in: database)
        }
    }

    /// Moves a format-1 store's projections (one LMDB database per generation) out of the way: their
    /// databases are dropped and the registry is emptied, so the next catch-up rebuilds them in
    /// `projection_data`. Projections are derived from the log: nothing is lost.
    private static func dropIfPresent(_ name: String, in transaction: Transaction, environment: Environment)
        throws
    {
        let database: Database
        do {
            database = try environment.openDatabase(named: name, in: transaction)
        } catch  where error.code == LMDBError.notFound {
            return
        }
        try transaction.drop(database)
    }

    /// Marks a new store's registry as of the current layout.
    static func writeLayout(in transaction: Transaction, databases: LedgerDatabases) throws {
        try transaction.put(in: databases.projections, key: layoutKey, value: layout.bigEndianBytes)
    }

    static func upgradeLayout(
        in transaction: Transaction, environment: Environment, databases: LedgerDatabases
    ) throws {
        let registry = databases.projections
        if try transaction.value(in: registry, key: layoutKey) != nil { return }
        var oldNames: [String] = []
        var keys: [[UInt8]] = []
        try transaction.withCursor(on: registry) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                keys.append(Array(current.key))
                let name = String(decoding: current.key, as: UTF8.self)
                let domain = name.hasSuffix(".building") ? String(name.dropLast(".building".count)) : name
                if Domain(rawValue: domain) != nil, current.value.count == 12 {
                    oldNames.append("projection.\(domain).\(UInt32(bigEndianBytes: current.value))")
                }
                entry = try cursor.next()
            }
        }
        for name in oldNames { try dropIfPresent(name, in: transaction, environment: environment) }
        for key in keys { try transaction.delete(in: registry, key: key) }
        try writeLayout(in: transaction, databases: databases)
    }
}
