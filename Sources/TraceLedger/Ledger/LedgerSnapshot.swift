import LMDBKit

/// One consistent state of the store: everything read through a snapshot comes from the same instant, so a
/// result never mixes two states of the store. Obtained from `Ledger.read(_:)` (and, seeing its own writes,
/// from `LedgerWriteTransaction.snapshot`).
///
/// ```swift
/// let (head, timeline) = try ledger.read { snapshot in
///     (try snapshot.head(), try snapshot.events(forTrace: traceId))
/// }
/// ```
///
/// Not Sendable, and valid only inside the closure it was handed to: it holds an LMDB transaction, and what
/// it reads points into the map until it is copied out (every value it returns is copied).
public final class LedgerSnapshot {
    let transaction: Transaction
    let databases: LedgerDatabases
    let codec: RecordCodec
    let dictionaries: DictionaryCache
    /// The event-id log's unsettled entries as this process knows them (`EventIdIndex`).
    let recentEventIds: RecentEventIds
    /// In a write transaction that appended: the event ids it wrote, which memory does not hold.
    var pendingEventIds: PendingEventIds?

    init(
        transaction: Transaction, databases: LedgerDatabases, codec: RecordCodec,
        dictionaries: DictionaryCache, recentEventIds: RecentEventIds
    ) {
        self.transaction = transaction
        self.databases = databases
        self.codec = codec
        self.dictionaries = dictionaries
        self.recentEventIds = recentEventIds
    }

    /// The last event's position, hash and time (`ChainHead.empty` for an empty ledger).
    public func head() throws -> ChainHead { try ChainHead.read(in: self) }

    /// Decodes a stored record into an event.
    func decode(_ record: UnsafeRawBufferPointer, position: UInt64) throws -> RecordedEvent {
        do {
            return try codec.withDecoded(record, dictionary: { try dictionaries.dictionary($0, in: self) }) {
                header, body in
                let (content, streamVersion) = try CanonicalBody.decode(body)
                return RecordedEvent(
                    position: position, streamVersion: streamVersion, recordedAt: header.recordedAt,
                    hash: header.hash, content: content,
                    erasure: header.erased ? try Erasure(tombstone: content.payload, position: position) : nil
                )
            }
        } catch let error as LedgerError where error.kind == .corrupted {
            throw LedgerSnapshot.damagedRecord(at: position, error)
        }
    }

    /// The position an events key holds; a key of another length is a damaged page.
    static func position(ofKey key: UnsafeRawBufferPointer) throws -> UInt64 {
        guard key.count == 8 else {
            throw LedgerError(
                .corrupted,
                "the events database is damaged: it holds a key of \(key.count) bytes, not a position; run "
                    + "`traceledger verify`")
        }
        return UInt64(bigEndianBytes: key)
    }

    /// A record that could not be read, named by its position.
    static func damagedRecord(at position: UInt64, _ error: LedgerError) -> LedgerError {
        LedgerError(
            .corrupted,
            "the record at position \(position) is damaged: \(error.message); run `traceledger verify`")
    }

    /// The stored value under `key` in `database`, copied out, or nil.
    func value(in database: Database, key: [UInt8]) throws -> [UInt8]? {
        try transaction.value(in: database, key: key)
    }
}
