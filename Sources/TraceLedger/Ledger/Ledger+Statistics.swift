import Foundation
import LMDBKit

/// Sizes and counts of a store, for `traceledger stats`.
public struct LedgerStatistics: Sendable {
    public let head: ChainHead
    public var events: UInt64 { head.position }
    /// Events per domain.
    public let eventsByDomain: [Domain: UInt64]
    /// Distinct entities (streams), traces and actors.
    public let streams: Int
    public let traces: Int
    public let actors: Int
    /// Size of the data file and the part of it in use.
    public let fileBytes: Int
    public let usedBytes: Int
    /// Bytes of each named database's pages: the log, its indexes, meta, consumers, dead letters and the
    /// projections (registry and data).
    public let bytesByDatabase: [String: Int]
    /// Canonical (uncompressed) body bytes and what they take stored.
    public let canonicalBodyBytes: Int
    public let storedBodyBytes: Int
    /// How many zstd dictionaries the store holds.
    public let dictionaries: Int
    /// Keys in `projection_data`: every projection generation's state (old generations are deleted after a
    /// rebuild, so this does not grow with rebuilds).
    public let projectionEntries: Int
    /// Reader slots taken across all processes, and how many of them belonged to dead processes (freed when
    /// the store was opened and by this call: their pinned pages can be reused again).
    public var readerSlots = 0
    public var staleReadersFreed = 0

    /// Bytes of the data file in use per event, indexes included.
    public var bytesPerEvent: Double { events == 0 ? 0 : Double(usedBytes) / Double(events) }
    /// Canonical bytes per stored byte of event bodies.
    public var compressionRatio: Double {
        storedBodyBytes == 0 ? 0 : Double(canonicalBodyBytes) / Double(storedBodyBytes)
    }
}

extension Ledger {
    /// Bytes of the data file in use (cheap: read from LMDB's environment info).
    public var usedBytes: Int { environment.info().usedBytes }

    /// Counts and sizes of the store; reads every record header and index key once.
    public func statistics() throws -> LedgerStatistics {
        let staleReadersFreed = try clearStaleReaders()
        let info = environment.info()
        let fileBytes: Int
        do {
            fileBytes =
                try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int ?? 0
        } catch {
            throw LedgerError(
                .storage, "cannot read the size of \(path)/data.mdb: \(error.localizedDescription)",
                underlying: SendableDescription(error))
        }
        var statistics = try read { snapshot in
            let transaction = snapshot.transaction
            let head = try snapshot.head()
            var byDomain: [Domain: UInt64] = [:]
            var streams = 0
            try transaction.withCursor(on: databases[.streams]) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    let key = String(decoding: current.key, as: UTF8.self)
                    if let slash = key.firstIndex(of: "/"),
                        let domain = Domain(rawValue: String(key[..<slash]))
                    {
                        byDomain[domain, default: 0] += UInt64(try cursor.duplicateCount())
                    }
                    streams += 1
                    entry = try cursor.nextKey()
                }
            }
            var canonical = 0
            var stored = 0
            try transaction.withCursor(on: databases.events) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    let sizes: (stored: Int, original: Int)
                    do {
                        sizes = try RecordCodec.bodySizes(of: current.value)
                    } catch let error as LedgerError where error.kind == .corrupted {
                        throw LedgerSnapshot.damagedRecord(
                            at: try LedgerSnapshot.position(ofKey: current.key), error)
                    }
                    canonical += sizes.original
                    stored += sizes.stored
                    entry = try cursor.next()
                }
            }
            var bytesByDatabase: [String: Int] = [:]
            for database in StoreDatabase.allCases {
                bytesByDatabase[database.rawValue] = try transaction.statistics(of: databases[database]).bytes
            }
            var dictionaries = 0
            try transaction.withCursor(on: databases.meta) { cursor in
                var entry = try MetaKey.dictionaryPrefix.withUnsafeBytes { try cursor.seek($0) }
                while let current = entry, current.key.starts(with: MetaKey.dictionaryPrefix) {
                    dictionaries += 1
                    entry = try cursor.next()
                }
            }
            return LedgerStatistics(
                head: head, eventsByDomain: byDomain, streams: streams,
                traces: try keyCount(databases[.traces], transaction),
                actors: try keyCount(databases[.actors], transaction), fileBytes: fileBytes,
                usedBytes: info.usedBytes,
                bytesByDatabase: bytesByDatabase, canonicalBodyBytes: canonical, storedBodyBytes: stored,
                dictionaries: dictionaries,
                projectionEntries: try transaction.statistics(of: databases.projectionData).entries)
        }
        statistics.readerSlots = environment.info().readerSlotsUsed
        statistics.staleReadersFreed = staleReadersFreed + staleReadersFreedAtOpen
        return statistics
    }

    private func keyCount(_ database: Database, _ transaction: Transaction) throws -> Int {
        try transaction.withCursor(on: database) { cursor in
            var count = 0
            var entry = try cursor.first()
            while entry != nil {
                count += 1
                entry = try cursor.nextKey()
            }
            return count
        }
    }
}
