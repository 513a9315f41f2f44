import Foundation
import LMDBKit
import Logging

extension Ledger {
    /// Rebuilds every index by copying what only the store knows (the records, the meta values, consumers,
    /// dead letters, projections, deliveries, checkpoints) into a new file and building the indexes there.
    ///
    /// `repairIndexes` rebuilds in place, which first frees an index's old pages, and freeing walks them: when
    /// a page of an index is itself unreadable, that walk fails and only a copy that leaves the index behind
    /// can repair the store (what `mdb_copy` would carry over, less the damage). The new file is verified
    /// (chain and indexes) before it replaces the old one, by a rename, under the store's exclusive lock.
    ///
    /// - Returns: the number of events whose indexes were rebuilt.
    /// - Throws: `LedgerError` `.corrupted` when a database that cannot be rebuilt is damaged too, or the
    ///   records do not verify; `.unavailable` when another process has the store open.
    public static func rebuildIndexesByCopy(at path: String) async throws -> UInt64 {
        let lock = try exclusiveLock(on: path, toDo: "repaired")
        let temporary = try workingDirectory("repairing", in: path)
        do {  // the store's environment is closed again before its file is replaced
            let source = try openEnvironment(at: path)
            // A store of another format is refused as `open` refuses it: its records would be copied under this
            // build's format marker.
            try source.read { try StoreFormat.check(in: $0, environment: source, path: path) }
            try copyRecords(from: source, path: path, to: temporary)
        }
        let events: UInt64
        do {
            let copy = try Ledger.open(at: temporary, logger: Logger(label: "traceledger.repair"))
            events = try await copy.repairIndexes()
            guard case .intact = try copy.verify(), try copy.verifyIndexes().isEmpty else {
                await copy.close()
                throw LedgerError(
                    .corrupted,
                    "the copy of \(path) does not verify after its indexes were rebuilt; nothing changed")
            }
            await copy.close()
        }
        try replaceDataFile(of: path, with: temporary)
        withExtendedLifetime(lock) {}
        return events
    }

    /// Copies every database that is not derived from the records of the store at `path` (its environment
    /// `source`) into a new environment at `destination` of the current format, with the indexes created empty.
    /// Each record passes through `record` on its way (`migrate` rewrites them into the current format); the other
    /// values are copied as they are, but for the format marker.
    static func copyRecords(
        from source: Environment, path: String, to destination: String,
        record: (UnsafeRawBufferPointer, Transaction) throws -> [UInt8] = { record, _ in Array(record) }
    ) throws {
        var options = EnvironmentOptions()
        options.mapSize = max(options.mapSize, source.info().mapSize)  // the copy is no larger than the store
        let target = try Environment(path: destination, options: options)
        try source.read { from in
            try target.write { to in
                let created = try LedgerDatabases.open(in: target, transaction: to, create: true)
                for database in StoreDatabase.allCases where !database.isDerivedFromRecords {
                    guard let handle = try existing(database, in: source, transaction: from) else { continue }
                    let rewritten = database == .events
                    let copied = Result {
                        try copyEntries(of: handle, in: from, to: created[database], in: to) {
                            rewritten ? try record($0, from) : Array($0)
                        }
                    }
                    if case .failure(let error) = copied {
                        guard isDamage(error) else { throw error }  // a full disk says so, as itself
                        throw LedgerError(
                            .corrupted,
                            "the \(database.rawValue) database of \(path) cannot be read (\(error)): it is not "
                                + "derived from other data, so restore the store from a backup")
                    }
                }
                // The copy is of this build's format: its records (`record`) and its indexes, built next.
                try StoreFormat.write(in: to, databases: created)
            }
        }
    }

    /// Whether a failure to copy is damage to what was read, not a want of room or a failing disk.
    private static func isDamage(_ error: any Error) -> Bool {
        if let error = error as? LedgerError { return error.kind == .corrupted }
        guard let error = error as? LMDBError else { return false }
        return [LMDBError.corrupted, LMDBError.pageNotFound, LMDBError.invalid, LMDBError.badValueSize]
            .contains(
                error.code)
    }

    /// The database's handle, or nil when an older store lacks it.
    private static func existing(
        _ database: StoreDatabase, in environment: Environment, transaction: Transaction
    ) throws -> Database? {
        let opened = Result { () throws(LMDBError) -> Database in
            try environment.openDatabase(named: database.rawValue, flags: database.flags, in: transaction)
        }
        switch opened {
        case .success(let handle): return handle
        case .failure(let error) where error.code == LMDBError.notFound && database.createdOnOpen: return nil
        case .failure(let error): throw error
        }
    }

    /// Copies each entry in key order, appended (the order it is read in is the order LMDB keeps).
    private static func copyEntries(
        of database: Database, in source: Transaction, to target: Database, in destination: Transaction,
        value: (UnsafeRawBufferPointer) throws -> [UInt8]
    ) throws {
        try source.withCursor(on: database) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                try destination.put(
                    in: target, key: Array(current.key), value: try value(current.value), flags: .append)
                entry = try cursor.next()
            }
        }
    }
}
