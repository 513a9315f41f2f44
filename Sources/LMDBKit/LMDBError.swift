import CLMDB

/// An error reported by LMDB, with its raw code and a message a person can act on.
///
/// Match the common cases with the static codes, for example `catch let error as LMDBError
/// where error.code == LMDBError.mapFull`.
public struct LMDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The raw return code of the LMDB call (an `MDB_*` code or an `errno` value).
    public let code: Int32
    /// What was being done when LMDB failed, e.g. "opening environment at /var/lib/ledger".
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public static let keyExists = MDB_KEYEXIST
    public static let notFound = MDB_NOTFOUND
    public static let mapFull = MDB_MAP_FULL
    public static let mapResized = MDB_MAP_RESIZED
    public static let readersFull = MDB_READERS_FULL
    public static let badValueSize = MDB_BAD_VALSIZE
    public static let corrupted = MDB_CORRUPTED
    public static let versionMismatch = MDB_VERSION_MISMATCH
    public static let invalid = MDB_INVALID
    public static let pageNotFound = MDB_PAGE_NOTFOUND
    public static let panic = MDB_PANIC
    public static let badTransaction = MDB_BAD_TXN
    public static let transactionFull = MDB_TXN_FULL
    public static let cursorFull = MDB_CURSOR_FULL
    public static let noSpace = Int32(28)  // ENOSPC
    public static let inputOutput = Int32(5)  // EIO
    public static let quotaExceeded = Int32(122)  // EDQUOT

    /// LMDB's own text for the code.
    public var reason: String { String(cString: mdb_strerror(code)) }

    public var description: String {
        var text = "\(operation): \(reason) (code \(code))"
        switch code {
        case LMDBError.mapFull:
            text += "; the map size is too small for the data: reopen with a larger map size"
        case LMDBError.noSpace, LMDBError.quotaExceeded:
            text += "; the disk is full: free space and retry (nothing of this transaction was written)"
        case LMDBError.invalid, LMDBError.versionMismatch:
            text += "; this is not an LMDB environment of a compatible version"
        case LMDBError.readersFull:
            text += "; too many concurrent readers: raise maxReaders"
        default:
            break
        }
        return text
    }
}

/// Turns an LMDB return code into a thrown `LMDBError`.
@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if code != 0 { throw LMDBError(code: code, operation: operation()) }
}
