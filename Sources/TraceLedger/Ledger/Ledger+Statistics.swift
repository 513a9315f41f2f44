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
    /// Bytes of each named database's pages.
    public let bytesByDatabase: [String: Int]
    /// Canonical (uncompressed) body bytes and what they take stored.
    public let canonicalBodyBytes: Int
    public let storedBodyBytes: Int
    /// How many zstd dictionaries the store holds.
    public let dictionaries: Int

    /// Bytes of the data file in use per event, indexes included.
    public var bytesPerEvent: Double { events == 0 ? 0 : Double(usedBytes) / Double(events) }
    /// Canonical bytes per stored byte of event bodies.
    public var compressionRatio: Double {
        storedBodyBytes == 0 ? 0 : Double(canonicalBodyBytes) / Double(storedBodyBytes)
    }
}

extension Ledger {
    /// Counts and sizes of the store; reads every record header and index key once.
    public func statistics() throws -> LedgerStatistics {
        let info = environment.info()
        let fileBytes: Int
        do {
            fileBytes =
                try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int ?? 0
        } catch {
            throw LedgerError(
                .storage, "cannot read the size of \(path)/data.mdb: \(error.localizedDescription)")
        }
        return try read { transaction, _ in
            let head = try ChainHead.read(in: transaction, databases: databases)
            var byDomain: [Domain: UInt64] = [:]
            var streams = 0
            try transaction.withCursor(on: databases.streams) { cursor in
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
                    let sizes = try RecordCodec.bodySizes(of: current.value)
                    canonical += sizes.original
                    stored += sizes.stored
                    entry = try cursor.next()
                }
            }
            var bytesByDatabase: [String: Int] = [:]
            let all = [
                ("events", databases.events), ("event_ids", databases.eventIds), ("traces", databases.traces),
                ("streams", databases.streams), ("actors", databases.actors), ("meta", databases.meta),
            ]
            for (name, database) in all {
                bytesByDatabase[name] = try transaction.statistics(of: database).bytes
            }
            var dictionaries = 0
            try transaction.withCursor(on: databases.meta) { cursor in
                var entry = try Array("dictionary/".utf8).withUnsafeBytes { try cursor.seek($0) }
                while let current = entry, current.key.starts(with: "dictionary/".utf8) {
                    dictionaries += 1
                    entry = try cursor.next()
                }
            }
            return LedgerStatistics(
                head: head, eventsByDomain: byDomain, streams: streams,
                traces: try keyCount(databases.traces, transaction),
                actors: try keyCount(databases.actors, transaction), fileBytes: fileBytes,
                usedBytes: info.usedBytes,
                bytesByDatabase: bytesByDatabase, canonicalBodyBytes: canonical, storedBodyBytes: stored,
                dictionaries: dictionaries)
        }
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
