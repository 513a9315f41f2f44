import LMDBKit

/// The store's format marker in `meta`: tells a TraceLedger store from any other LMDB environment, and a
/// store this build can read from one written by a newer version.
enum StoreFormat {
    /// The format this build writes and reads.
    static let current = 1
    private static let prefix = "traceledger/"

    static func write(in transaction: Transaction, databases: LedgerDatabases) throws {
        try transaction.put(
            in: databases.meta, key: MetaKey.format.bytes, value: Array("\(prefix)\(current)".utf8))
    }

    /// Throws `notAStore` unless the store's marker says a format this build can read.
    static func check(in transaction: Transaction, databases: LedgerDatabases, path: String) throws {
        let marker = try transaction.value(in: databases.meta, key: MetaKey.format.bytes).map {
            String(decoding: $0, as: UTF8.self)
        }
        guard let marker, marker.hasPrefix(prefix), let version = Int(marker.dropFirst(prefix.count)) else {
            throw DataFileCheck.notAStoreOrDamaged(
                path, damage: "the ledger's format marker is unreadable",
                notAStore: "\(path) is an LMDB environment but not a TraceLedger store; point --store at a store "
                    + "or create one with `traceledger init`")
        }
        guard version <= current else {
            throw LedgerError(
                .notAStore,
                "\(path) is a TraceLedger store of format \(version), newer than this build reads "
                    + "(\(current)); upgrade traceledger to open it")
        }
    }
}
