import LMDBKit
import Synchronization
import ZstdKit

/// The store's zstd dictionaries by id, loaded from `meta` once and shared by every thread.
///
/// Sendable: the cache is guarded by a mutex and dictionaries are immutable.
final class DictionaryCache: Sendable {
    private let loaded = Mutex<[UInt32: ZstdDictionary]>([:])
    private let databases: LedgerDatabases

    static let currentKey = Array("dictionary.current".utf8)

    init(databases: LedgerDatabases) { self.databases = databases }

    static func key(for id: UInt32) -> [UInt8] {
        var writer = ByteWriter(capacity: 16)
        writer.append(contentsOf: "dictionary/".utf8)
        writer.append(id)
        return writer.bytes
    }

    /// The dictionary with `id`, read through `transaction` the first time it is needed.
    func dictionary(_ id: UInt32, in transaction: Transaction) throws -> ZstdDictionary {
        if let cached = loaded.withLock({ $0[id] }) { return cached }
        guard let bytes = try transaction.value(in: databases.meta, key: DictionaryCache.key(for: id)) else {
            throw LedgerError(
                .corrupted, "a record needs zstd dictionary \(id), which the store does not hold")
        }
        let dictionary = try ZstdDictionary(bytes: bytes)
        loaded.withLock { $0[id] = dictionary }
        return dictionary
    }

    /// The dictionary new records are compressed with, or nil before one was trained.
    func current(in transaction: Transaction) throws -> ZstdDictionary? {
        guard let raw = try transaction.value(in: databases.meta, key: DictionaryCache.currentKey),
            raw.count == 4
        else {
            return nil
        }
        let id = raw.withUnsafeBytes { bytes in bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        return try dictionary(id, in: transaction)
    }

    /// Stores a trained dictionary and makes it the one new records use.
    func install(_ dictionary: ZstdDictionary, in transaction: Transaction) throws {
        try transaction.put(
            in: databases.meta, key: DictionaryCache.key(for: dictionary.id), value: dictionary.bytes)
        var writer = ByteWriter(capacity: 4)
        writer.append(dictionary.id)
        try transaction.put(in: databases.meta, key: DictionaryCache.currentKey, value: writer.bytes)
        loaded.withLock { $0[dictionary.id] = dictionary }
    }
}
