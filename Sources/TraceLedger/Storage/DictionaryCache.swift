import LMDBKit
import Synchronization
import ZstdKit

/// The store's zstd dictionaries by id, loaded from `meta` once and shared by every thread.
///
/// Sendable: the cache is guarded by a mutex and dictionaries are immutable.
final class DictionaryCache: Sendable {
    private let loaded = Mutex<[UInt32: ZstdDictionary]>([:])
    private let meta: Database

    convenience init(databases: LedgerDatabases) { self.init(meta: databases.meta) }

    /// A cache of the dictionaries in `meta`: also of a store this build does not open (`migrate` reads one).
    init(meta: Database) { self.meta = meta }

    /// The dictionary with `id`, read through `snapshot` the first time it is needed.
    func dictionary(_ id: UInt32, in snapshot: LedgerSnapshot) throws -> ZstdDictionary {
        try dictionary(id, in: snapshot.transaction)
    }

    /// The dictionary with `id`, read in `transaction` the first time it is needed.
    func dictionary(_ id: UInt32, in transaction: Transaction) throws -> ZstdDictionary {
        if let cached = loaded.withLock({ $0[id] }) { return cached }
        guard let bytes = try transaction.value(in: meta, key: MetaKey.dictionary(id: id).bytes) else {
            throw LedgerError(
                .corrupted, "a record needs zstd dictionary \(id), which the store does not hold")
        }
        let dictionary = try ZstdDictionary(bytes: bytes)
        loaded.withLock { $0[id] = dictionary }
        return dictionary
    }

    /// The dictionary new records are compressed with, or nil before one was trained.
    func current(in snapshot: LedgerSnapshot) throws -> ZstdDictionary? {
        try current(in: snapshot.transaction)
    }

    /// The dictionary new records are compressed with, read in `transaction`; nil before one was trained.
    func current(in transaction: Transaction) throws -> ZstdDictionary? {
        guard let raw = try transaction.value(in: meta, key: MetaKey.currentDictionary.bytes), raw.count == 4
        else {
            return nil
        }
        return try dictionary(UInt32(bigEndianBytes: raw), in: transaction)
    }

    /// Stores a trained dictionary and makes it the one new records use.
    func install(_ dictionary: ZstdDictionary, in transaction: Transaction) throws {
        try transaction.put(
            in: meta, key: MetaKey.dictionary(id: dictionary.id).bytes, value: dictionary.bytes)
        try transaction.put(
            in: meta, key: MetaKey.currentDictionary.bytes, value: dictionary.id.bigEndianBytes)
        loaded.withLock { $0[dictionary.id] = dictionary }
    }
}
