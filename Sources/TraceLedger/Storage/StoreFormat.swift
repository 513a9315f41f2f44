import LMDBKit

/// The store's format marker in `meta`: tells a TraceLedger store from any other LMDB environment, and a
/// store this build can read from one written by a newer version.
enum StoreFormat {
    /// The format this build writes and reads. Format 2 (records in zstd's compact frame, `event_ids` under half
    /// the id) replaced format 1; format 3 was format 2 with the event-id index in two trees; format 4 has a
    /// position-keyed log in place of the second tree (`EventIdIndex`). This build reads stores of formats 1 to
    /// 3 only to migrate them (`Ledger.migrate`): an older build would not look for ids in `event_id_log`, so a
    /// store must change format while no such build has it open, which `migrate`'s exclusive lock ensures.
    static let current = 4
    private static let prefix = "traceledger/"

    static func write(in transaction: Transaction, databases: LedgerDatabases) throws {
        try transaction.put(
            in: databases.meta, key: MetaKey.format.bytes, value: Array("\(prefix)\(current)".utf8))
    }

    /// Throws `notAStore` unless the store's marker says a format this build can read. Run before the other
    /// databases are opened: a format changes their flags, and LMDB refuses to open one under other flags.
    static func check(in transaction: Transaction, environment: Environment, path: String) throws {
        let meta = try environment.openDatabase(
            named: StoreDatabase.meta.rawValue, flags: StoreDatabase.meta.flags, in: transaction)
        let version = try version(in: transaction, meta: meta, path: path)
        guard version >= current else {
            throw LedgerError(
                .notAStore,
                "\(path) is a TraceLedger store of format \(version), which this build no longer opens (it "
                    + "writes format \(current)): convert it with `traceledger migrate --store \(path)`, which "
                    + "rewrites it and checks that every event, position and proof survives")
        }
        guard version <= current else {
            throw LedgerError(
                .notAStore,
                "\(path) is a TraceLedger store of format \(version), newer than this build reads "
                    + "(\(current)); upgrade traceledger to open it")
        }
    }

    /// The store's format version, from its marker.
    ///
    /// - Throws: `notAStore` (or `corrupted`) when the marker is missing or unreadable.
    static func version(in transaction: Transaction, meta: Database, path: String) throws -> Int {
        let marker = try transaction.value(in: meta, key: MetaKey.format.bytes).map {
            String(decoding: $0, as: UTF8.self)
        }
        guard let marker, marker.hasPrefix(prefix), let version = Int(marker.dropFirst(prefix.count)) else {
            throw DataFileCheck.notAStoreOrDamaged(
                path, damage: "the ledger's format marker is unreadable",
                notAStore:
                    "\(path) is an LMDB environment but not a TraceLedger store; point --store at a store "
                    + "or create one with `traceledger init`")
        }
        return version
    }
}
