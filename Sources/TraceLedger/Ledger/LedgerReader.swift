import LMDBKit

/// Reads events and index entries inside a transaction; shared by the public read API and the appender.
enum LedgerReader {
    /// The event at `position`, or nil past the head.
    static func event(
        at position: UInt64, transaction: Transaction, databases: LedgerDatabases, codec: RecordCodec,
        dictionaries: DictionaryCache
    ) throws -> RecordedEvent? {
        try transaction.withValue(in: databases.events, key: position.bigEndianBytes) { record in
            guard let record else { return nil }
            return try decode(
                record, position: position, transaction: transaction, codec: codec, dictionaries: dictionaries
            )
        }
    }

    /// Decodes a stored record into an event.
    static func decode(
        _ record: UnsafeRawBufferPointer, position: UInt64, transaction: Transaction, codec: RecordCodec,
        dictionaries: DictionaryCache
    ) throws -> RecordedEvent {
        do {
            let (recordedAt, hash, body) = try codec.decode(record) {
                try dictionaries.dictionary($0, in: transaction)
            }
            let (content, streamVersion) = try body.withUnsafeBytes { try CanonicalBody.decode($0) }
            return RecordedEvent(
                position: position, streamVersion: streamVersion, recordedAt: recordedAt, hash: hash,
                content: content)
        } catch let error as LedgerError where error.kind == .corrupted {
            throw LedgerError(.corrupted, "position \(position): \(error.message); run `traceledger verify`")
        }
    }

    /// Every position stored under `key` in a duplicate-sorted position index, in order.
    static func positions(in database: Database, key: [UInt8], transaction: Transaction) throws -> [UInt64] {
        try transaction.withCursor(on: database) { cursor in
            try key.withUnsafeBytes { key in
                guard try cursor.find(key) != nil else { return [] }
                var positions: [UInt64] = []
                positions.reserveCapacity(try cursor.duplicateCount())
                var page = try cursor.currentValues()
                while let values = page {
                    var offset = 0
                    while offset + 8 <= values.count {
                        positions.append(
                            UInt64(
                                bigEndianBytes: UnsafeRawBufferPointer(rebasing: values[offset..<offset + 8]))
                        )
                        offset += 8
                    }
                    page = try cursor.nextValues()
                }
                return positions
            }
        }
    }
}
