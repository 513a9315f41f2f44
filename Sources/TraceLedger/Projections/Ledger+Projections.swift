import LMDBKit

extension Ledger {
    /// Calls `body` with each event from `first` through `last`, read in `transaction` (the projections' write
    /// transaction, so the events folded and the checkpoint written are of one snapshot).
    func forEachEvent(
        from first: UInt64, through last: UInt64, in transaction: Transaction,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        try codecs.withCodec { codec in
            try transaction.withCursor(on: databases.events) { cursor in
                var entry = try first.bigEndianBytes.withUnsafeBytes { try cursor.seek($0) }
                while let current = entry {
                    let position = UInt64(bigEndianBytes: current.key)
                    if position > last { break }
                    try body(
                        try decode(current.value, position: position, transaction: transaction, codec: codec))
                    entry = try cursor.next()
                }
            }
        }
    }

    /// The events at `positions` (ascending), read in one snapshot.
    func events(at positions: [UInt64]) throws -> [RecordedEvent] {
        try read { transaction, codec in try events(at: positions, transaction: transaction, codec: codec) }
    }
}
