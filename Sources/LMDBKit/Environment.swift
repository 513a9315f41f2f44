import CLMDB
import CLMDBFaultGuard

/// Options for opening an LMDB environment.
public struct EnvironmentOptions: Sendable {
    /// The largest size the data file may reach; virtual address space only, so it costs nothing to be generous.
    public var mapSize: Int = 1 << 36
    /// How many named databases the environment may hold.
    public var maxDatabases: UInt32 = 32
    /// How many read transactions may be open at once across all processes.
    public var maxReaders: UInt32 = 512
    /// Open without write access.
    public var readOnly = false
    /// The mode of the files LMDB creates (`data.mdb`, `lock.mdb`): owner only by default.
    public var fileMode: UInt32 = 0o600
    /// Skip the fsync at commit. Only for throwaway data: a crash can then lose committed transactions.
    public var noSync = false

    public init() {}
}

/// An open LMDB environment: one memory-mapped data file holding named databases.
///
/// Sendable: LMDB environments are safe to share between threads; it is opened with `MDB_NOTLS`, so read
/// transactions are not tied to the thread that started them. Write transactions are serialised by LMDB
/// itself and must stay on their thread, which `write(_:)` ensures by running the closure synchronously.
public final class Environment: @unchecked Sendable {
    let handle: OpaquePointer
    /// The directory holding `data.mdb` and `lock.mdb`.
    public let path: String

    /// Opens (and creates, unless read-only) the environment in the directory at `path`.
    ///
    /// - Throws: `LMDBError` when the directory is missing, not an LMDB environment, or cannot be mapped.
    public init(path: String, options: EnvironmentOptions = EnvironmentOptions()) throws(LMDBError) {
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "creating environment")
        guard let env else { throw LMDBError(code: LMDBError.invalid, operation: "creating environment") }
        do {
            try check(mdb_env_set_maxdbs(env, options.maxDatabases), "setting max databases")
            try check(mdb_env_set_maxreaders(env, options.maxReaders), "setting max readers")
            try check(mdb_env_set_mapsize(env, options.mapSize), "setting map size")
            try check(mdb_env_set_assert(env, lmdb_fault_guard_assert), "setting the assertion handler")
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.noSync { flags |= UInt32(MDB_NOSYNC) }
            try check(
                mdb_env_open(env, path, flags, mdb_mode_t(options.fileMode)), "opening environment at \(path)"
            )
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.path = path
        FaultGuard.register(path)
    }

    deinit {
        FaultGuard.unregister(path)
        mdb_env_close(handle)
    }

    /// Runs `body` in a read-only transaction that sees one consistent snapshot.
    ///
    /// Values read inside point into the map: copy them out before returning.
    public func read<Result>(_ body: (Transaction) throws -> Result) throws -> Result {
        let transaction = try Transaction(environment: self, parent: nil, readOnly: true)
        defer { transaction.abort() }
        return try body(transaction)
    }

    /// Runs `body` in a write transaction: commits (durably, unless `noSync`) when it returns, aborts when it
    /// throws. Only one write transaction runs at a time per environment, across processes.
    public func write<Result>(_ body: (Transaction) throws -> Result) throws -> Result {
        let transaction = try Transaction(environment: self, parent: nil, readOnly: false)
        let result: Result
        do {
            result = try body(transaction)
        } catch {
            transaction.abort()
            throw error
        }
        try transaction.commit()
        return result
    }

    /// Opens the named database, creating it when `flags` contains `.create` (which needs a write transaction).
    public func openDatabase(
        named name: String?, flags: DatabaseFlags = [], in transaction: Transaction
    ) throws(LMDBError) -> Database {
        var dbi: MDB_dbi = 0
        try check(
            mdb_dbi_open(transaction.handle, name, flags.rawValue, &dbi),
            "opening database \(name ?? "<main>")")
        return Database(handle: dbi)
    }

    /// Frees the reader slots of processes that died with a read transaction open (`mdb_reader_check`): until
    /// then LMDB cannot reuse the pages those readers pinned, and the file grows. Returns how many were freed.
    @discardableResult
    public func clearStaleReaders() throws(LMDBError) -> Int {
        var dead: Int32 = 0
        try check(mdb_reader_check(handle, &dead), "checking the reader table")
        return Int(dead)
    }

    /// Flushes buffers to disk; only needed with `noSync`.
    public func sync() throws(LMDBError) {
        try check(mdb_env_sync(handle, 1), "syncing environment")
    }

    /// Sets a new map size; call only when no transaction of this process is open.
    public func setMapSize(_ bytes: Int) throws(LMDBError) {
        defer { FaultGuard.register(path) }
        try check(mdb_env_set_mapsize(handle, bytes), "setting map size to \(bytes)")
    }

    /// The current map size and how much of it is used.
    public func info() -> EnvironmentInfo {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        return EnvironmentInfo(
            mapSize: info.me_mapsize, lastPageNumber: Int(info.me_last_pgno), pageSize: Int(stat.ms_psize),
            lastTransactionID: Int(info.me_last_txnid), readerSlotsUsed: Int(info.me_numreaders))
    }

    /// Writes a consistent copy of the environment into the (empty, existing) directory at `path`.
    public func copy(to path: String, compact: Bool = true) throws(LMDBError) {
        try check(
            mdb_env_copy2(handle, path, compact ? UInt32(MDB_CP_COMPACT) : 0),
            "copying environment to \(path)")
    }
}

/// Sizes of an environment's map.
public struct EnvironmentInfo: Sendable {
    public let mapSize: Int
    public let lastPageNumber: Int
    public let pageSize: Int
    public let lastTransactionID: Int
    /// Reader slots taken across all processes (the high-water mark of the reader table).
    public let readerSlotsUsed: Int

    /// Bytes of the data file in use.
    public var usedBytes: Int { (lastPageNumber + 1) * pageSize }
}
