import Foundation
import LMDBKit
import Logging
import ZstdKit

/// What `Ledger.migrate(at:)` did and checked.
///
/// Sendable: plain values.
public struct Migration: Sendable {
    /// The format the store had.
    public let fromFormat: Int
    public let toFormat: Int
    /// The head, the same before and after: the last record's position and chain hash.
    public let head: ChainHead
    /// The Merkle tree's root at the head, as the old store kept it and as the new one computes it.
    public let merkleRoot: RFC6962.Hash
    /// The signed checkpoints kept in the store, each of whose roots the new tree gives again.
    public let checkpoints: Int
    /// The size of the store's data file before and after.
    public let bytesBefore: Int
    public let bytesAfter: Int
    /// Where the old data file is kept, until its owner removes it.
    public let originalKeptAt: String
}

extension Ledger {
    /// Rewrites a store of an earlier format into the current one, under the store's exclusive lock.
    ///
    /// Every record is decoded and written again in the current record format, with its position, recordedAt,
    /// hash and erasure flag; the values only the store knows (meta, consumers, dead letters, projections,
    /// deliveries, checkpoints) are copied as they are, and the indexes are built again from the records. Before the
    /// new file replaces the old one, it must verify: the whole hash chain against the head the old store kept,
    /// every index, the Merkle root at the head against the old store's, and the root at the size of each signed
    /// checkpoint against the checkpoint's. The old file is kept beside it (`originalKeptAt`).
    ///
    /// - Returns: what was migrated; nil when the store is of the current format already.
    /// - Throws: `LedgerError` `.notAStore` when there is no store at `path` or it is of a newer format;
    ///   `.corrupted` when the store does not verify (nothing changed); `.unavailable` when another process
    ///   has it open.
    public static func migrate(at path: String) async throws -> Migration? {
        let lock = try exclusiveLock(on: path, toDo: "migrated")
        let temporary = path + "/migrating"
        let files = FileManager.default
        let bytesBefore = fileSize(path + "/data.mdb")
        let old: (format: Int, head: ChainHead, root: RFC6962.Hash)
        let kept: String
        do {
            let source = try openEnvironment(at: path)
            guard let found = try oldStore(in: source, path: path) else {
                // A run killed after replacing the file, before removing its working directory.
                if files.fileExists(atPath: temporary) { try files.removeItem(atPath: temporary) }
                return nil
            }
            old = found
            kept = path + "/format-\(old.format).mdb"
            if files.fileExists(atPath: kept), isSameFile(kept, path + "/data.mdb") {
                unlink(kept)  // a run killed between keeping the original and replacing it: only a second name
            }
            if files.fileExists(atPath: kept) {
                throw LedgerError(
                    .invalidArgument,
                    "\(kept) is in the way: it holds an earlier migration's original; move it elsewhere and run "
                        + "`traceledger migrate` again")
            }
            _ = try workingDirectory("migrating", in: path)
            let rewriter = RecordRewriter(environment: source)
            try copyRecords(from: source, path: path, to: temporary) { record, transaction in
                try rewriter.rewrite(record, in: transaction)
            }
        }
        let checkpoints: Int
        do {
            // Of the current format already, with its indexes empty until rebuilt.
            let copy = try Ledger.open(at: temporary, logger: Logger(label: "traceledger.migrate"))
            let problem: String?
            let count: Int
            do {
                _ = try await copy.repairIndexes()
                problem = try copy.migrationProblem(head: old.head, root: old.root)
                count = try copy.read { snapshot in try snapshot.keptCheckpoints().count }
            } catch {
                await copy.close()
                throw error
            }
            await copy.close()
            if let problem {
                throw LedgerError(
                    .corrupted,
                    "\(path) cannot be migrated: \(problem). Nothing changed (the attempt is in \(temporary))"
                )
            }
            checkpoints = count
        }
        guard link(path + "/data.mdb", kept) == 0 else {
            throw LedgerError(
                .storage,
                "cannot keep the original as \(kept): \(String(cString: strerror(errno))); nothing changed")
        }
        try replaceDataFile(of: path, with: temporary)
        withExtendedLifetime(lock) {}
        return Migration(
            fromFormat: old.format, toFormat: StoreFormat.current, head: old.head, merkleRoot: old.root,
            checkpoints: checkpoints, bytesBefore: bytesBefore, bytesAfter: fileSize(path + "/data.mdb"),
            originalKeptAt: kept)
    }

    /// The format, head and Merkle root of a store of an older format, or nil when it is of the current one.
    private static func oldStore(in environment: Environment, path: String) throws -> (
        format: Int, head: ChainHead, root: RFC6962.Hash
    )? {
        try environment.read { transaction in
            let meta = try environment.openDatabase(named: StoreDatabase.meta.rawValue, in: transaction)
            let format = try StoreFormat.version(in: transaction, meta: meta, path: path)
            guard format < StoreFormat.current else {
                try StoreFormat.check(in: transaction, environment: environment, path: path)  // newer: says so
                return nil
            }
            func value(_ key: MetaKey) throws -> [UInt8]? { try transaction.value(in: meta, key: key.bytes) }
            guard let headBytes = try value(.chainHead),
                let head = try? headBytes.withUnsafeBytes({ raw throws(LedgerError) in
                    try ChainHead(encoded: raw)
                })
            else {
                throw LedgerError(.corrupted, "\(path) has no readable chain head; restore it from a backup")
            }
            guard let frontierBytes = try value(.merkleFrontier),
                let frontier = MerkleFrontier(encoded: frontierBytes),
                frontier.size == head.position
            else {
                throw LedgerError(
                    .corrupted,
                    "\(path) has no Merkle tree at its head; open it with the build that wrote it, run "
                        + "`traceledger repair-indexes`, then migrate")
            }
            return (format, head, frontier.root)
        }
    }

    private static func isSameFile(_ one: String, _ other: String) -> Bool {
        var first = stat()
        var second = stat()
        return stat(one, &first) == 0 && stat(other, &second) == 0 && first.st_dev == second.st_dev
            && first.st_ino == second.st_ino
    }

    /// What differs between this store and the old one's head and Merkle root, or between its tree and the
    /// checkpoints it keeps; nil when nothing does.
    ///
    /// The copy's records hold the old ones' bodies, times and hashes as they were, so a chain that breaks in the
    /// copy was broken in the original.
    private func migrationProblem(head: ChainHead, root: RFC6962.Hash) throws -> String? {
        let advice =
            "restore it from a backup, or open it with the build that wrote it and run `traceledger verify`"
        switch try verify() {
        case .broken(let position, let reason):
            return
                "its hash chain breaks at position \(position) (\(reason)), so its records were damaged before "
                + "this migration, which copies them as they are: \(advice)"
        case .intact(let verified) where verified != head:
            return
                "its records end at position \(verified.position) with hash \(verified.hash), but its chain head "
                + "says position \(head.position) with hash \(head.hash): \(advice)"
        case .intact: break
        }
        if let damage = try verifyIndexes().first {
            return "the rebuilt \(damage.index) index disagrees with the records (\(damage.reason))"
        }
        return try read { snapshot in
            guard try snapshot.merkleRoot().root == root else {
                return "the Merkle root the records give at the head is not the one the store kept: \(advice)"
            }
            for checkpoint in try snapshot.keptCheckpoints() {
                guard checkpoint.size <= head.position else {
                    return "it keeps a signed checkpoint of \(checkpoint.size) events, beyond its head at "
                        + "\(head.position): signed events are missing; \(advice)"
                }
                guard try snapshot.merkleRoot(size: checkpoint.size).root == checkpoint.root else {
                    return
                        "the Merkle root the records give at \(checkpoint.size) events is not the one its signed "
                        + "checkpoint of that size states: \(advice)"
                }
            }
            return nil
        }
    }
}

extension LedgerSnapshot {
    /// The checkpoints the store signed and keeps, as their notes state them (signatures not checked).
    func keptCheckpoints() throws -> [Checkpoint] {
        try transaction.withCursor(on: databases.checkpoints) { cursor in
            var checkpoints: [Checkpoint] = []
            var entry = try cursor.first()
            while let current = entry {
                checkpoints.append(try Checkpoint(text: String(decoding: current.value, as: UTF8.self)))
                entry = try cursor.next()
            }
            return checkpoints
        }
    }
}

/// Writes a record of an earlier format again in the current one: the same body, recordedAt, hash and erasure flag,
/// compressed with the store's current dictionary (a record names its dictionary, so any of the store's will do).
private final class RecordRewriter {
    private let environment: Environment
    private let codec = RecordCodec()
    /// The source's dictionaries and the one new records use, read in the copy's transaction the first time.
    private var dictionaries: (cache: DictionaryCache, current: ZstdDictionary?)?

    init(environment: Environment) { self.environment = environment }

    func rewrite(_ record: UnsafeRawBufferPointer, in transaction: Transaction) throws -> [UInt8] {
        let (cache, current) = try self.dictionaries(in: transaction)
        var header: RecordCodec.Header?
        var body: [UInt8] = []
        try codec.withDecoded(record, dictionary: { try cache.dictionary($0, in: transaction) }) {
            header = $0
            body = Array($1)
        }
        guard let header else { throw LedgerError(.corrupted, "a record could not be read") }
        return try codec.encode(
            body: body, recordedAt: header.recordedAt, hash: header.hash, dictionary: current,
            erased: header.erased)
    }

    private func dictionaries(in transaction: Transaction) throws -> (
        cache: DictionaryCache, current: ZstdDictionary?
    ) {
        if let dictionaries { return dictionaries }
        let cache = DictionaryCache(
            meta: try environment.openDatabase(named: StoreDatabase.meta.rawValue, in: transaction))
        let found = (cache, try cache.current(in: transaction))
        dictionaries = found
        return found
    }
}
