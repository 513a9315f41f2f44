import Foundation
import Glibc
import LMDBKit
public import Logging

/// An open TraceLedger store: the append-only event log with its indexes and hash chain.
///
/// Every write of this process runs on one writer thread (`write(_:)`; appends group-commit through
/// `append(_:)`); every read runs in a snapshot of its own (`read(_:)`) on the caller's thread. Across
/// processes LMDB serialises write transactions, so the CLI can work on a store a server has open.
/// Sendable: every member is Sendable or immutable after opening.
///
/// ```swift
/// let ledger = try Ledger.open(at: "/var/lib/traceledger")
/// let outcomes = try await ledger.append(EventDecoder().decodeBatch(ndjson).get())
/// let timeline = try ledger.read { try $0.events(forTrace: "4bf92f3577b34da6a3ce929d0e0e4736") }
/// ```
public final class Ledger: Sendable {
    /// The store's directory.
    public let path: String
    let environment: Environment
    let databases: LedgerDatabases
    let dictionaries: DictionaryCache
    let recentEventIds: RecentEventIds
    let codecs = RecordCodecPool()
    let writer: LedgerWriter

    /// Reader slots of dead processes freed when the store was opened (`stats` reports them).
    let staleReadersFreedAtOpen: Int
    /// Held while the store is open, so `compact` never replaces the file under this process.
    let storeLock: StoreLock?

    private init(path: String, environment: Environment, storeLock: StoreLock?, writer: LedgerWriter) throws {
        self.path = path
        self.storeLock = storeLock
        self.environment = environment
        // Readers of processes killed mid-read pin pages until their slots are freed (the file then grows).
        do {
            staleReadersFreedAtOpen = try environment.clearStaleReaders()
        } catch {
            writer.stop()
            throw LedgerError.wrapping(error, doing: "checking the reader table of \(path)")
        }
        self.writer = writer
        self.databases = writer.databases
        self.dictionaries = writer.dictionaries
        self.recentEventIds = writer.recentEventIds
    }

    deinit { writer.stop() }

    /// Creates a new, empty store in the directory at `path` (created if missing, which must otherwise be empty).
    ///
    /// - Throws: `LedgerError` `.notAStore` when `path` holds a store already or other files.
    public static func create(at path: String, logger: Logger = Logger(label: "traceledger")) throws -> Ledger
    {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw LedgerError(
                    .notAStore, "\(path) is a file; a store is a directory: choose another path")
            }
            if files.fileExists(atPath: path + "/data.mdb") {
                throw LedgerError(
                    .notAStore, "a store already exists at \(path); use it, or choose another path")
            }
            guard try files.contentsOfDirectory(atPath: path).isEmpty else {
                throw LedgerError(
                    .notAStore,
                    "\(path) is a directory with other files in it; create the store in an empty or new "
                        + "directory")
            }
        } else {
            do {
                try files.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw LedgerError(
                    .storage, "cannot create the directory \(path): \(error.localizedDescription)",
                    underlying: SendableDescription(error))
            }
        }
        // Audit data is for its owner: the directory 0700, LMDB's files 0600 (EnvironmentOptions.fileMode).
        guard chmod(path, 0o700) == 0 else {
            throw LedgerError(
                .storage, "cannot restrict \(path) to its owner: \(String(cString: strerror(errno)))")
        }
        do {
            let storeLock = try StoreLock.take(path, exclusive: false)
            let environment = try openEnvironment(at: path)
            return try Ledger(
                path: path, environment: environment, storeLock: storeLock,
                writer: startWriter(path: path, environment: environment, logger: logger) { transaction in
                    let databases = try LedgerDatabases.open(
                        in: environment, transaction: transaction, create: true)
                    try StoreFormat.write(in: transaction, databases: databases)
                    try ChainHead.empty.write(in: transaction, databases: databases)
                    try ProjectionRegistry.writeLayout(in: transaction, databases: databases)
                    try OrderIndex.markComplete(in: transaction, databases: databases)
                    try MerkleTree.write(MerkleFrontier(), in: transaction, databases: databases)
                    return databases
                })
        } catch {
            // Leave nothing half-made that a second `init` would refuse as an existing store.
            for file in ["data.mdb", "lock.mdb", "traceledger.lock"]
            where files.fileExists(atPath: path + "/" + file) {
                do { try files.removeItem(atPath: path + "/" + file) } catch {
                    logger.warning("could not remove a half-made \(file)", metadata: ["path": "\(path)"])
                }
            }
            throw error
        }
    }

    /// Opens the existing store at `path`.
    ///
    /// - Throws: `LedgerError` `.notAStore` when there is no store there, it is not a TraceLedger store, or it
    ///   is of another format: an older one names `traceledger migrate`, a newer one asks for a newer build.
    public static func open(at path: String, logger: Logger = Logger(label: "traceledger")) throws -> Ledger {
        try open(at: path, logger: logger, storeLock: nil)
    }

    /// Opens the store holding `storeLock` (compaction's exclusive one), or taking a shared lock when nil.
    static func open(at path: String, logger: Logger, storeLock: StoreLock?) throws -> Ledger {
        guard FileManager.default.fileExists(atPath: path + "/data.mdb") else {
            throw LedgerError(
                .notAStore,
                "there is no TraceLedger store at \(path); create one with `traceledger init --store "
                    + "\(path)`, or point --store (or TRACELEDGER_STORE) at an existing one")
        }
        let lock = try storeLock ?? StoreLock.take(path, exclusive: false)
        let environment = try openEnvironment(at: path)
        return try Ledger(
            path: path, environment: environment, storeLock: lock,
            writer: startWriter(path: path, environment: environment, logger: logger) { transaction in
                let databases: LedgerDatabases
                do {
                    try StoreFormat.check(in: transaction, environment: environment, path: path)
                    databases = try LedgerDatabases.open(
                        in: environment, transaction: transaction, create: false)
                } catch let error as LMDBError
                    where error.code == LMDBError.notFound || error.code == LMDBError.invalid
                {
                    throw DataFileCheck.notAStoreOrDamaged(
                        path, damage: "LMDB cannot find the ledger's databases among them",
                        notAStore: "\(path) is an LMDB environment but not a TraceLedger store (it lacks the "
                            + "ledger's databases); point --store at a store or create one with `traceledger init`"
                    )
                }
                try ProjectionRegistry.upgradeLayout(
                    in: transaction, environment: environment, databases: databases)
                // Indexes added after a store was made are built the first time it is opened.
                let snapshot = LedgerSnapshot(
                    transaction: transaction, databases: databases, codec: RecordCodec(),
                    dictionaries: DictionaryCache(databases: databases), recentEventIds: RecentEventIds())
                try OrderIndex.buildIfMissing(in: snapshot)
                try MerkleTree.buildIfMissing(in: snapshot)
                return databases
            })
    }

    private static func startWriter(
        path: String, environment: Environment, logger: Logger,
        setup: @escaping @Sendable (Transaction) throws -> LedgerDatabases
    ) throws -> LedgerWriter {
        do {
            return try LedgerWriter(path: path, environment: environment, logger: logger, setup: setup)
        } catch {
            throw LedgerError.wrapping(error, doing: "opening the store at \(path)")
        }
    }

    static func openEnvironment(at path: String) throws -> Environment {
        try DataFileCheck.check(storeAt: path)
        try reserveLockFile(at: path)
        do {
            var options = EnvironmentOptions()
            if let text = ProcessInfo.processInfo.environment["TRACELEDGER_MAP_SIZE"], let bytes = Int(text),
                bytes >= 1 << 20
            {
                options.mapSize = bytes  // the map a store starts with; it grows when full
            }
            return try Environment(path: path, options: options)
        } catch  where error.code == LMDBError.invalid || error.code == LMDBError.versionMismatch {
            throw LedgerError(
                .notAStore, "\(path) holds a data.mdb that is not an LMDB environment this build reads",
                underlying: error)
        } catch {
            throw LedgerError.wrapping(error, doing: "opening the store at \(path)")
        }
    }

    /// LMDB maps `lock.mdb` and would die of SIGBUS touching a page a full disk cannot back: the lock file's
    /// space is allocated first, so a full disk is an error that says so.
    private static func reserveLockFile(at path: String) throws {
        let lockPath = path + "/lock.mdb"
        let descriptor = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EACCES || errno == EROFS { return }  // a read-only store: LMDB says what it can
            throw LedgerError(.storage, "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(descriptor) }
        // The reader table: 512 slots of 64 bytes and a header, rounded up.
        let result = posix_fallocate(descriptor, 0, 64 * 1024)
        if result == ENOSPC || result == EDQUOT {
            throw LedgerError(
                .unavailable,
                "no space left on the file system of \(path) (\(FreeSpace.bytes(at: path) ?? 0) bytes free): free "
                    + "space and run it again; nothing was written")
        }
    }

    /// Frees the reader slots of dead processes (see `Environment.clearStaleReaders`); the server calls it
    /// periodically. Returns how many were freed.
    @discardableResult
    public func clearStaleReaders() throws -> Int {
        do {
            return try environment.clearStaleReaders()
        } catch {
            throw LedgerError.wrapping(error, doing: "checking the reader table of \(path)")
        }
    }

    /// Finishes the writes queued so far, then refuses new ones (`.unavailable`). Reads keep working until the
    /// ledger is released.
    public func close() async { await writer.close() }

    /// Returns once this process commits events past `position`, the ledger closes, or `timeout` passes;
    /// then read the head again. Commits of other processes on the store show up at the latest after
    /// `timeout`. The live tail and `replay --follow` wait here instead of polling.
    public func waitForCommit(after position: UInt64, timeout: Duration = .seconds(1)) async {
        await writer.commits.waitForHead(after: position, timeout: timeout)
    }

    // MARK: Writing

    /// Appends `events` as one atomic batch: all of them are durably committed, or none is.
    ///
    /// Events whose id is already in the ledger with identical content are not written again: their outcome
    /// has `isDuplicate` and the original position.
    /// - Throws: `LedgerError` `.conflict` (with `batchIndex`) for an id reused with other content or a stream
    ///   not at `expectedVersion`; `.unavailable` when the disk or map is full or the ledger is closed.
    ///   Nothing is written then.
    public func append(_ events: [ProposedEvent]) async throws -> [AppendOutcome] {
        try await writer.append(events)
    }

    /// Appends one event; see `append(_:)` for batches.
    public func append(_ event: ProposedEvent) async throws -> AppendOutcome {
        try await writer.append([event])[0]
    }

    /// Appends several batches, in order, each atomic on its own, letting the writer commit them together.
    ///
    /// This is how a bulk load gets the throughput of large commits while keeping small atomic batches: the
    /// batches are queued at once, so the writer's group commit puts as many of them as fit in one
    /// transaction and one fsync. A batch rejected by its checks (a conflict, an invalid event) fails alone;
    /// the others still commit. Returns each batch's outcomes, or its error, in the order given, once every
    /// batch is durably committed or rejected.
    public func append(batches: [[ProposedEvent]]) async -> [Result<[AppendOutcome], any Error>] {
        await writer.append(batches: batches)
    }

    /// Runs `body` in a write transaction on the store's writer thread; returns its result once the
    /// transaction is durably committed. When `body` throws, nothing it wrote is kept.
    ///
    /// Keep `body` short (a bounded chunk of work): appends wait while it runs. Calling `write` from inside a
    /// write is a precondition failure (it would wait for itself).
    ///
    /// ```swift
    /// try await ledger.write { transaction in
    ///     try transaction.updateConsumer(named: "erp-feed") { $0.delivered += 1 }
    /// }
    /// ```
    public func write<Result: Sendable>(_ body: @escaping @Sendable (LedgerWriteTransaction) throws -> Result)
        async throws -> Result
    {
        try await writer.write(body)
    }

    // MARK: Reading

    /// Runs `body` with a snapshot of the store: everything it reads comes from one consistent state.
    ///
    /// Runs on the calling thread and holds an LMDB reader slot until it returns; long scans should read in
    /// several snapshots (`forEachEvent` does).
    public func read<Result>(_ body: (LedgerSnapshot) throws -> Result) throws -> Result {
        do {
            while true {
                do {
                    return try writer.gate.shared {
                        try codecs.withCodec { codec in
                            try environment.read { transaction in
                                try body(
                                    LedgerSnapshot(
                                        transaction: transaction, databases: databases, codec: codec,
                                        dictionaries: dictionaries, recentEventIds: recentEventIds))
                            }
                        }
                    }
                } catch let error as LMDBError where error.code == LMDBError.mapResized {
                    // Another process grew the map: take up its size and read again.
                    try writer.gate.adoptResize(environment)
                }
            }
        } catch {
            throw LedgerError.wrapping(error, doing: "reading the store at \(path)")
        }
    }
}
