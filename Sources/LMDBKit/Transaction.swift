import CLMDB

/// A read or write transaction; valid only inside the closure of `Environment.read` or `Environment.write`.
///
/// Not Sendable: a write transaction belongs to its thread, and nothing read through a transaction may
/// outlive it (values point into the memory map). Never keep one across an `await`.
public final class Transaction {
    let handle: OpaquePointer
    let environment: Environment
    private var finished = false

    init(environment: Environment, parent: Transaction?, readOnly: Bool) throws(LMDBError) {
        var txn: OpaquePointer?
        let flags = readOnly ? UInt32(MDB_RDONLY) : 0
        try check(
            mdb_txn_begin(environment.handle, parent?.handle, flags, &txn),
            readOnly ? "beginning read transaction" : "beginning write transaction")
        self.handle = txn!
        self.environment = environment
    }

    deinit { if !finished { mdb_txn_abort(handle) } }

    func commit() throws(LMDBError) {
        finished = true
        try check(mdb_txn_commit(handle), "committing transaction")
    }

    func abort() {
        guard !finished else { return }
        finished = true
        mdb_txn_abort(handle)
    }

    /// Runs `body` in a child transaction: its writes join this transaction when `body` returns and are
    /// discarded when it throws, leaving this transaction as it was.
    public func nested<Result>(_ body: (Transaction) throws -> Result) throws -> Result {
        let child = try Transaction(environment: environment, parent: self, readOnly: false)
        let result: Result
        do {
            result = try body(child)
        } catch {
            child.abort()
            throw error
        }
        try child.commit()
        return result
    }

    // MARK: Reading

    /// Calls `body` with the value stored under `key`, or nil; the buffer is valid only inside `body`.
    public func withValue<Result>(
        in database: Database, key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let code = mdb_get(handle, database.handle, &k, &v)
        if code == MDB_NOTFOUND { return try body(nil) }
        try check(code, "reading a key")
        return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Calls `body` with the value stored under `key` (array convenience); the buffer is valid only inside `body`.
    public func withValue<Result>(
        in database: Database, key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try key.withUnsafeBytes { try withValue(in: database, key: $0, body) }
    }

    /// A copy of the value stored under `key`, or nil.
    public func value(in database: Database, key: [UInt8]) throws -> [UInt8]? {
        try key.withUnsafeBytes { key in
            try withValue(in: database, key: key) { $0.map { Array($0) } }
        }
    }

    /// Statistics of one database as this transaction sees it.
    public func statistics(of database: Database) throws(LMDBError) -> DatabaseStatistics {
        var stat = MDB_stat()
        try check(mdb_stat(handle, database.handle, &stat), "reading database statistics")
        return DatabaseStatistics(
            entries: stat.ms_entries, depth: Int(stat.ms_depth), branchPages: stat.ms_branch_pages,
            leafPages: stat.ms_leaf_pages, overflowPages: stat.ms_overflow_pages, pageSize: Int(stat.ms_psize)
        )
    }

    // MARK: Writing

    /// Stores `value` under `key`.
    ///
    /// - Throws: `LMDBError` with code `keyExists` when `flags` forbid overwriting and the key exists.
    public func put(
        in database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
        flags: PutFlags = []
    ) throws(LMDBError) {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(handle, database.handle, &k, &v, flags.rawValue), "writing a key")
    }

    /// Stores `value` under `key` (array convenience).
    public func put(in database: Database, key: [UInt8], value: [UInt8], flags: PutFlags = [])
        throws(LMDBError)
    {
        let code = key.withUnsafeBytes { key in
            value.withUnsafeBytes { value in
                var k = MDB_val(
                    mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
                var v = MDB_val(
                    mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
                return mdb_put(handle, database.handle, &k, &v, flags.rawValue)
            }
        }
        try check(code, "writing a key")
    }

    /// Deletes `key` (or, in a duplicate-sorted database with `value`, only that pair). Returns false when absent.
    @discardableResult
    public func delete(in database: Database, key: [UInt8], value: [UInt8]? = nil) throws(LMDBError) -> Bool {
        var keyBytes = key
        var valueBytes = value ?? []
        let code = keyBytes.withUnsafeMutableBytes { key in
            valueBytes.withUnsafeMutableBytes { valueBuffer in
                var k = MDB_val(mv_size: key.count, mv_data: key.baseAddress)
                if value == nil { return mdb_del(handle, database.handle, &k, nil) }
                var v = MDB_val(mv_size: valueBuffer.count, mv_data: valueBuffer.baseAddress)
                return mdb_del(handle, database.handle, &k, &v)
            }
        }
        if code == MDB_NOTFOUND { return false }
        try check(code, "deleting a key")
        return true
    }

    /// Removes every entry of `database` (keeping the database itself).
    public func empty(_ database: Database) throws(LMDBError) {
        try check(mdb_drop(handle, database.handle, 0), "emptying a database")
    }

    /// Deletes `database` and closes its handle.
    public func drop(_ database: Database) throws(LMDBError) {
        try check(mdb_drop(handle, database.handle, 1), "deleting a database")
    }

    /// Runs `body` with a cursor over `database`; the cursor is closed when `body` returns.
    public func withCursor<Result>(on database: Database, _ body: (Cursor) throws -> Result) throws -> Result
    {
        let cursor = try Cursor(transaction: self, database: database)
        defer { cursor.close() }
        return try body(cursor)
    }

    /// Deletes the entries of `database` from its first key through `last` (in LMDB's default key order, the
    /// bytes compared as unsigned): how a log keyed by big-endian positions drops its oldest part.
    ///
    /// - Returns: how many entries were deleted.
    @discardableResult
    public func deleteEntries(in database: Database, through last: [UInt8]) throws -> Int {
        try withCursor(on: database) { cursor in
            var deleted = 0
            var entry = try cursor.first()
            while let current = entry, !last.lexicographicallyPrecedes(current.key) {
                try cursor.deleteCurrent()
                deleted += 1
                entry = try cursor.next()  // after a delete, the entry that followed it
            }
            return deleted
        }
    }
}
