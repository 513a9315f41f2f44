import Foundation

/// Checks `data.mdb` against its own meta pages before LMDB maps it: a file shorter than the pages its
/// newest meta page says are in use (a truncated copy, a disk that lost the tail) would make every read past
/// the end die of SIGBUS. Refused here with an error that says what is damaged.
///
/// The layout read is LMDB 0.9's on a 64-bit machine: two meta pages at the start, each a 16-byte page
/// header then `MDB_meta` (magic at 16, the page size in the free database's `md_pad` at 40, the last page
/// number at 136, the transaction id at 144).
enum DataFileCheck {
    static let magic: UInt32 = 0xBEEF_C0DE

    /// Throws `LedgerError` `.corrupted` when `path/data.mdb` is shorter than its meta pages require.
    static func check(storeAt path: String) throws {
        let file = path + "/data.mdb"
        guard let handle = FileHandle(forReadingAtPath: file) else { return }  // LMDB reports what is wrong
        defer { try? handle.close() }  // a read-only handle: closing cannot lose anything
        let size: UInt64
        do { size = try handle.seekToEnd() } catch { return }
        guard size >= 160 else { return }  // too short for a meta page: LMDB says it is no environment
        func meta(at offset: UInt64) throws -> (pageSize: UInt64, lastPage: UInt64, transaction: UInt64)? {
            guard size >= offset + 160 else { return nil }
            try handle.seek(toOffset: offset)
            guard let bytes = try handle.read(upToCount: 160), bytes.count == 160 else { return nil }
            func little<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
                bytes[at..<at + MemoryLayout<T>.size].reversed().reduce(T.zero) { $0 << 8 | T($1) }
            }
            guard little(16, UInt32.self) == magic else { return nil }
            return (UInt64(little(40, UInt32.self)), little(136, UInt64.self), little(144, UInt64.self))
        }
        guard let first = try meta(at: 0) else { return }  // not an LMDB file: LMDB says so
        let second = try meta(at: first.pageSize)
        let newest = second.map { $0.transaction > first.transaction ? $0 : first } ?? first
        let needed = (newest.lastPage + 1) * newest.pageSize
        guard size >= needed else {
            throw LedgerError(
                .corrupted,
                "\(file) is truncated: it is \(size) bytes, but its last commit uses \(needed); the end of the "
                    + "store is lost: restore it from a backup (`traceledger backup` makes one)")
        }
    }
}
