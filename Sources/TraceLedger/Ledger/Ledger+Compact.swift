import Foundation
import Glibc
import Logging

/// What `compact` did.
///
/// Sendable: plain values.
public struct CompactionSummary: Sendable, Equatable {
    public let bytesBefore: Int
    public let bytesAfter: Int
    public let head: ChainHead
}

extension Ledger {
    /// Rewrites the store's file without its free pages: LMDB reuses freed pages but never zeroes them, so
    /// bytes an erasure removed (or a rebuild replaced) stay in data.mdb until the file is rewritten.
    ///
    /// The store must be open in no other process (a TraceLedger process holds the store lock while it has it
    /// open): the new file replaces the old one by a rename, with every event, hash and proof unchanged.
    ///
    /// - Throws: `LedgerError` `.unavailable` when another process has the store open.
    public static func compact(at path: String) async throws -> CompactionSummary {
        let lock = try exclusiveLock(on: path, toDo: "compacted")
        let before = Self.fileSize(path + "/data.mdb")
        let temporary = path + "/compacting"
        let files = FileManager.default
        if files.fileExists(atPath: temporary) { try files.removeItem(atPath: temporary) }  // an earlier, killed run
        let head: ChainHead
        do {
            let ledger = try Ledger.open(
                at: path, logger: Logger(label: "traceledger.compact"), storeLock: lock)
            head = try ledger.backup(to: temporary, compact: true)
            await ledger.close()
        }
        try replaceDataFile(of: path, with: temporary)
        withExtendedLifetime(lock) {}
        return CompactionSummary(
            bytesBefore: before, bytesAfter: Self.fileSize(path + "/data.mdb"), head: head)
    }

    /// Moves the data file of the store in `temporary` (a complete, verified copy) over the store's own, and
    /// removes `temporary`. The caller holds the store's exclusive lock, so no process has the old file open;
    /// the rename is atomic. LMDB's lock file belongs to the old file: a fresh one is made on the next open.
    static func replaceDataFile(of path: String, with temporary: String) throws {
        guard rename(temporary + "/data.mdb", path + "/data.mdb") == 0 else {
            throw LedgerError(
                .storage, "cannot replace \(path)/data.mdb: \(String(cString: strerror(errno)))")
        }
        unlink(path + "/lock.mdb")
        let directory = Glibc.open(path, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            fsync(directory)
            Glibc.close(directory)
        }
        try FileManager.default.removeItem(atPath: temporary)
    }

    /// An empty directory `name` inside the store, for a new data file (its owner's only: 0700); what an earlier,
    /// killed run left there is removed first.
    static func workingDirectory(_ name: String, in path: String) throws -> String {
        let directory = path + "/" + name
        let files = FileManager.default
        if files.fileExists(atPath: directory) { try files.removeItem(atPath: directory) }
        try files.createDirectory(
            atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return directory
    }

    /// Takes the store's exclusive lock, for a rewrite of its file.
    static func exclusiveLock(on path: String, toDo what: String) throws -> StoreLock {
        guard FileManager.default.fileExists(atPath: path + "/data.mdb") else {
            throw LedgerError(.notAStore, "there is no TraceLedger store at \(path)")
        }
        guard let lock = try StoreLock.take(path, exclusive: true) else {
            throw LedgerError(
                .storage, "the store at \(path) is read-only to this user: it cannot be \(what)")
        }
        return lock
    }

    static func fileSize(_ path: String) -> Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : 0
    }
}
