import Glibc
import LMDBKit

/// Every failure of the engine: what kind it is (which decides the CLI's exit code and the server's HTTP
/// status, see docs/operations.md), a message that says what was wrong and what to do, and the underlying
/// error where there is one.
///
/// ```swift
/// do { try await ledger.append(events) }
/// catch let error as LedgerError where error.kind == .conflict { … }
/// ```
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, CaseIterable {
        /// The input is not a valid event: malformed JSON, a schema violation, an unknown type.
        /// Exit 4; HTTP 422 (400 for malformed JSON).
        case invalidEvent
        /// An argument or option is not usable: a bad sink URL, an unknown projection, a bad range.
        /// Exit 2; HTTP 400.
        case invalidArgument
        /// A valid event that cannot be appended: an event id reused with other content, or a stream not at
        /// the expected version. Exit 4; HTTP 409.
        case conflict
        /// Something asked for does not exist: an event, a dead letter, a file. Exit 1; HTTP 404.
        case notFound
        /// The input is over a documented limit (an event, a payload, a batch). Exit 4; HTTP 413.
        case tooLarge
        /// The store cannot take the work now, though nothing is wrong with it: the map or the disk is full,
        /// too many readers, the store is closed. Retry after the cause is fixed. Exit 1; HTTP 503.
        case unavailable
        /// The stored data does not match its hash chain or cannot be decoded. Exit 3; HTTP 500.
        case corrupted
        /// The path is not a TraceLedger store, or one of a format this build cannot read. Exit 1; HTTP 500.
        case notAStore
        /// Any other failure of LMDB, zstd or the file system. Exit 1; HTTP 500.
        case storage
    }

    public let kind: Kind
    /// What went wrong, in words, ending with what to do where there is something to do.
    public let message: String
    /// The offending event's index in the batch that was appended (0-based), when one event is to blame.
    public var batchIndex: Int?
    /// The input line (1-based) the event came from, when the caller knows it.
    public var line: Int?
    /// The field the error is about, as a path such as `payload.lines[0].quantity`.
    public var field: String?
    /// The rule broken, such as `required`, `type`, `pattern`, `expectedVersion`.
    public var rule: String?
    /// The error this one was made from (an `LMDBError`, a `ZstdError`, a file system error), kept so that a
    /// caller can still match on it.
    public var underlying: (any Error & Sendable)?

    public init(
        _ kind: Kind, _ message: String, batchIndex: Int? = nil, line: Int? = nil, field: String? = nil,
        rule: String? = nil, underlying: (any Error & Sendable)? = nil
    ) {
        self.kind = kind
        self.message = message
        self.batchIndex = batchIndex
        self.line = line
        self.field = field
        self.rule = rule
        self.underlying = underlying
    }

    /// The same error, attributed to an input line.
    public func at(line: Int) -> LedgerError {
        var copy = self
        copy.line = line
        return copy
    }

    public var description: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        if let field, !field.isEmpty { parts.append(field) }
        parts.append(message)
        var text = parts.joined(separator: ": ")
        if let rule { text += " (\(rule))" }
        return text
    }
}

extension LedgerError {
    /// `error` as a `LedgerError`: itself when it is one; an LMDB failure by its kind (full map, disk or reader
    /// table → `.unavailable`; a damaged file → `.corrupted`), naming what was being done and keeping the
    /// original as `underlying`.
    static func wrapping(_ error: any Error, doing operation: String) -> LedgerError {
        if let error = error as? LedgerError { return error }
        guard let lmdb = error as? LMDBError else {
            return LedgerError(
                .storage, "\(operation) failed: \(error)", underlying: SendableDescription(error))
        }
        let kind: Kind =
            switch lmdb.code {
            case LMDBError.mapFull, LMDBError.noSpace, LMDBError.quotaExceeded, LMDBError.readersFull,
                LMDBError.transactionFull, LMDBError.cursorFull:
                .unavailable
            case LMDBError.corrupted, LMDBError.pageNotFound, LMDBError.panic, LMDBError.badTransaction:
                .corrupted
            default: .storage
            }
        let advice =
            kind == .corrupted
            ? "; the store is damaged: run `traceledger verify` and restore from a copy" : ""
        return LedgerError(kind, "\(operation) failed: \(lmdb)\(advice)", underlying: lmdb)
    }

    /// `wrapping(_:doing:)` for a failed write to the store at `path`: LMDB reports a disk that filled up
    /// during a commit as a short write (EIO), so a write that fails while the disk has no room left is
    /// reported as the full disk it is.
    static func wrappingWrite(_ error: LMDBError, doing operation: String, storeAt path: String)
        -> LedgerError
    {
        guard error.code == LMDBError.inputOutput || error.code == LMDBError.noSpace,
            let free = FreeSpace.bytes(at: path), free < FreeSpace.nearlyFull
        else { return wrapping(error, doing: operation) }
        return LedgerError(
            .unavailable,
            "\(operation) failed: the disk holding \(path) is full (\(free) bytes free); free space and "
                + "retry: nothing of this transaction was written (\(error))", underlying: error)
    }

    /// The error the writer answers with once the ledger is closed.
    static func closed(_ path: String) -> LedgerError {
        LedgerError(.unavailable, "the store at \(path) is closed; open it again")
    }
}

/// A non-Sendable error kept as its description, so a `LedgerError` stays Sendable.
public struct SendableDescription: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ error: any Error) { description = String(describing: error) }
}

/// Free space on a file system, to tell a full disk from other write failures.
enum FreeSpace {
    /// Below this, a failed write is taken for a full disk (LMDB writes whole pages, a few at a time).
    static let nearlyFull: UInt64 = 1 << 20

    /// Bytes available to this process on the file system holding `path`, or nil when it cannot be read.
    static func bytes(at path: String) -> UInt64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }
}
