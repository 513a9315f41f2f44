import LMDBKit

/// The last event of the log: its position, hash and recordedAt, kept in `meta` and updated with every commit.
public struct ChainHead: Sendable, Equatable {
    public let position: UInt64
    public let hash: ChainHash
    public let recordedAt: Timestamp

    /// The head of an empty ledger.
    public static let empty = ChainHead(
        position: 0, hash: .genesis, recordedAt: Timestamp(nanosecondsSinceEpoch: 0))

    var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 48)
        writer.append(position)
        writer.append(contentsOf: hash.bytes)
        writer.append(recordedAt.nanosecondsSinceEpoch)
        return writer.bytes
    }

    static func read(in snapshot: LedgerSnapshot) throws -> ChainHead {
        try snapshot.transaction.withValue(in: snapshot.databases.meta, key: MetaKey.chainHead.bytes) { raw in
            guard let raw else { return .empty }
            return try ChainHead(encoded: raw)
        }
    }

    func write(in transaction: Transaction, databases: LedgerDatabases) throws {
        try transaction.put(in: databases.meta, key: MetaKey.chainHead.bytes, value: encoded)
    }
}

extension ChainHead {
    /// The head `encoded` holds.
    ///
    /// - Throws: `LedgerError` `.corrupted` when it is too short.
    init(encoded raw: UnsafeRawBufferPointer) throws(LedgerError) {
        var reader = ByteReader(raw)
        let position = try reader.uint64()
        let hash = ChainHash(copying: try reader.take(32))
        self.init(
            position: position, hash: hash, recordedAt: Timestamp(nanosecondsSinceEpoch: try reader.int64()))
    }
}
