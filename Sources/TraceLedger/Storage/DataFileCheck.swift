import Foundation

/// Checks `data.mdb` against its own meta pages before LMDB maps it: a file shorter than the pages its
/// newest meta page says are in use (a truncated copy, a disk that lost the tail) would make every read past
/// the end die of SIGBUS. Refused here with an error that says what is damaged.
///
/// The layout read is LMDB 0.9's on a 64-bit machine: two meta pages at the start, each a 16-byte page
/// header then `MDB_meta` (magic at 16, the page size in the free database's `md_pad` at 40, the last page
/// number at 136, the transaction id at 144, the main database's entry count, one per named database, at 120).
enum DataFileCheck {
    static let magic: UInt32 = 0xBEEF_C0DE

    /// Throws `LedgerError` `.corrupted` when `path/data.mdb` is shorter than its meta pages require.
    static func check(storeAt path: String) throws {
        _ = try namedDatabases(storeAt: path)
    }

    /// Checks the file as `check` does, and returns how many named databases its newest commit lists (the
    /// entries of LMDB's main database), or nil when it cannot be read.
    static func namedDatabases(storeAt path: String) throws -> UInt64? {
        let file = path + "/data.mdb"
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }  // LMDB reports what is wrong
        defer { try? handle.close() }  // a read-only handle: closing cannot lose anything
        let size: UInt64
        do { size = try handle.seekToEnd() } catch { return nil }
        guard size >= 160 else { return nil }  // too short for a meta page: LMDB says it is no environment
        func meta(at offset: UInt64) throws -> (
            pageSize: UInt64, lastPage: UInt64, transaction: UInt64, namedDatabases: UInt64
        )? {
            guard size >= offset + 160 else { return nil }
            try handle.seek(toOffset: offset)
            guard let bytes = try handle.read(upToCount: 160), bytes.count == 160 else { return nil }
            func little<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
                bytes[at..<at + MemoryLayout<T>.size].reversed().reduce(T.zero) { $0 << 8 | T($1) }
            }
            guard little(16, UInt32.self) == magic else { return nil }
            return (
                UInt64(little(40, UInt32.self)), little(136, UInt64.self), little(144, UInt64.self),
                little(120, UInt64.self)
            )
        }
        guard let first = try meta(at: 0) else {
            // Not an LMDB file (LMDB says so), unless the second meta page is one: then the first was overwritten.
            for pageSize in [4096, 8192, 16384, 65536] as [UInt64]
            where try meta(at: pageSize)?.pageSize == pageSize {
                throw damagedMetaPage(0, of: file)
            }
            return nil
        }
        guard let second = try meta(at: first.pageSize) else { throw damagedMetaPage(1, of: file) }
        let newest = second.transaction > first.transaction ? second : first
        let needed = (newest.lastPage + 1) * newest.pageSize
        guard size >= needed else {
            throw LedgerError(
                .corrupted,
                "\(file) is truncated: it is \(size) bytes, but its last commit uses \(needed); the end of the "
                    + "store is lost: restore it from a backup (`traceledger backup` makes one)")
        }
        return newest.namedDatabases
    }

    /// LMDB 0.9 refuses an environment with a meta page it cannot read, even when the other is whole.
    private static func damagedMetaPage(_ page: Int, of file: String) -> LedgerError {
        LedgerError(
            .corrupted,
            "\(file) is damaged: its meta page \(page) (of the two that say where the last commit is) is "
                + "overwritten, and LMDB will not open a file without both: restore the store from a backup "
                + "(`traceledger backup` makes one)")
    }

    /// The error for a store whose databases or format marker cannot be found: a file that lists as many
    /// databases as a store has is a damaged store (`damage` says what is missing); any other is no store.
    static func notAStoreOrDamaged(_ path: String, damage: String, notAStore: String) -> LedgerError {
        // As many as a store of format 2 has, the oldest `migrate` converts without a store of its own kind.
        let ofFormat2 = StoreDatabase.allCases.filter { $0 != .eventIdLog }.count
        guard let listed = try? namedDatabases(storeAt: path), listed >= UInt64(ofFormat2)
        else {
            return LedgerError(.notAStore, notAStore)
        }
        return LedgerError(
            .corrupted,
            "\(path) is damaged: its file lists \(listed) databases, but \(damage) (a page is overwritten); "
                + "restore the store from a backup (`traceledger backup` makes one)")
    }
}
