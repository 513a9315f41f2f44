import CLMDB

/// A position in a database, for ordered scans and duplicate-sorted values.
///
/// Not Sendable, and valid only inside `Transaction.withCursor`: the buffers it returns point into the map.
public final class Cursor {
    /// One key/value pair under the cursor; the buffers are valid until the transaction ends.
    public struct Entry {
        public let key: UnsafeRawBufferPointer
        public let value: UnsafeRawBufferPointer
    }

    private let handle: OpaquePointer

    init(transaction: Transaction, database: Database) throws(LMDBError) {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(transaction.handle, database.handle, &cursor), "opening a cursor")
        self.handle = cursor!
    }

    func close() { mdb_cursor_close(handle) }

    private func move(
        _ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil, value: UnsafeRawBufferPointer? = nil
    )
        throws(LMDBError) -> Entry?
    {
        var k = MDB_val(
            mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val(
            mv_size: value?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: value?.baseAddress))
        let code = mdb_cursor_get(handle, &k, &v, op)
        if code == MDB_NOTFOUND { return nil }
        try check(code, "moving a cursor")
        return Entry(
            key: UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
            value: UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// The first entry of the database.
    public func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    /// The last entry of the database.
    public func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    /// The next entry (the next duplicate first, in a duplicate-sorted database).
    public func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    /// The previous entry.
    public func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }
    /// The first value of the next key.
    public func nextKey() throws(LMDBError) -> Entry? { try move(MDB_NEXT_NODUP) }
    /// The next value of the current key, or nil past its last.
    public func nextDuplicate() throws(LMDBError) -> Entry? { try move(MDB_NEXT_DUP) }
    /// The previous value of the current key, or nil before its first.
    public func previousDuplicate() throws(LMDBError) -> Entry? { try move(MDB_PREV_DUP) }
    /// The last value of the current key.
    public func lastDuplicate() throws(LMDBError) -> Entry? { try move(MDB_LAST_DUP) }

    /// Deletes the entry under the cursor (in a write transaction); `next()` then gives the entry after it.
    public func deleteCurrent() throws(LMDBError) {
        try check(mdb_cursor_del(handle, 0), "deleting under a cursor")
    }

    /// The entry with exactly `key` (its first value), or nil.
    public func find(_ key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        try move(MDB_SET_KEY, key: key)
    }

    /// The first entry whose key is at or after `key`.
    public func seek(_ key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        try move(MDB_SET_RANGE, key: key)
    }

    /// In a duplicate-sorted database: the first value of `key` at or after `value`.
    public func seek(_ key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(LMDBError) -> Entry?
    {
        try move(MDB_GET_BOTH_RANGE, key: key, value: value)
    }

    /// How many values the current key has (duplicate-sorted databases).
    public func duplicateCount() throws(LMDBError) -> Int {
        var count: Int = 0
        try check(mdb_cursor_count(handle, &count), "counting duplicates")
        return count
    }

    /// In a `duplicateFixed` database: up to a page of the current key's values at once, starting at the cursor.
    public func currentValues() throws(LMDBError) -> UnsafeRawBufferPointer? {
        // LMDB stores a key's only value inline, not as a sub-database, and MDB_GET_MULTIPLE then reports success
        // without returning it: read it as the current entry instead.
        if try duplicateCount() == 1 { return try move(MDB_GET_CURRENT)?.value }
        return try move(MDB_GET_MULTIPLE)?.value
    }

    /// In a `duplicateFixed` database: the next page of the current key's values, or nil after the last.
    public func nextValues() throws(LMDBError) -> UnsafeRawBufferPointer? {
        try move(MDB_NEXT_MULTIPLE)?.value
    }
}
