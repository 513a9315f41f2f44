import LMDBKit

/// The keys of a projection. Each projection generation's keys live in `projection_data` behind the
/// generation (u32), so a digest over one generation in key order covers the projection's whole state:
///
/// | key (after the generation) | value |
/// |---|---|
/// | `S` entityId | the entity's state (`StateWriter` bytes) |
/// | `A` position (u64 BE) | an anomaly: entity, type, trace, reason |
/// | `L` orderId 0x00 position | orders: a payment or invoice event that changed the order (for as-of) |
/// | `I` invoiceId | orders: the order an invoice belongs to (credit notes without orderId) |
/// | `E` email 0x00 customerId | customers: normalised e-mail → customers |
/// | `V` vatId 0x00 customerId | customers: normalised VAT id → customers |
enum ProjectionKey {
    static let state = UInt8(ascii: "S")
    static let anomaly = UInt8(ascii: "A")
    static let link = UInt8(ascii: "L")
    static let invoiceOrder = UInt8(ascii: "I")
    static let email = UInt8(ascii: "E")
    static let vat = UInt8(ascii: "V")

    static func make(_ prefix: UInt8, _ text: String) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(1 + text.utf8.count)
        key.append(prefix)
        key.append(contentsOf: text.utf8)
        return key
    }

    static func make(_ prefix: UInt8, _ text: String, _ position: UInt64) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(10 + text.utf8.count)
        key.append(prefix)
        key.append(contentsOf: text.utf8)
        key.append(0)
        position.appendBigEndian(to: &key)
        return key
    }

    static func make(_ prefix: UInt8, _ text: String, _ suffix: String) -> [UInt8] {
        [prefix] + Array(text.utf8) + [0] + Array(suffix.utf8)
    }

    static func anomaly(_ position: UInt64) -> [UInt8] { [anomaly] + position.bigEndianBytes }
}

/// One projection generation seen through a snapshot (or a write transaction): its keys, read and written by
/// folds, without the generation prefix.
///
/// Not Sendable: it holds a snapshot, bound to its thread.
struct ProjectionIndex {
    let snapshot: LedgerSnapshot
    let generation: UInt32
    private let prefix: [UInt8]

    init(snapshot: LedgerSnapshot, generation: UInt32) {
        self.snapshot = snapshot
        self.generation = generation
        self.prefix = generation.bigEndianBytes
    }

    var transaction: Transaction { snapshot.transaction }
    var database: Database { snapshot.databases.projectionData }

    func value(_ key: [UInt8]) throws -> [UInt8]? { try transaction.value(in: database, key: prefix + key) }

    /// Calls `body` with the stored value under `key` (nil when absent); the buffer is valid only inside.
    func withValue<Result>(_ key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> Result) throws
        -> Result
    {
        try transaction.withValue(in: database, key: prefix + key, body)
    }

    func put(_ key: [UInt8], _ value: [UInt8] = []) throws {
        try transaction.put(in: database, key: prefix + key, value: value)
    }

    func delete(_ key: [UInt8]) throws { try transaction.delete(in: database, key: prefix + key) }

    /// Calls `body` with every key starting with `keyPrefix` and its value, in key order.
    func forEach(
        prefix keyPrefix: [UInt8], _ body: (_ key: [UInt8], _ value: UnsafeRawBufferPointer) throws -> Void
    )
        throws
    {
        let start = prefix + keyPrefix
        try transaction.withCursor(on: database) { cursor in
            var entry = try start.withUnsafeBytes { try cursor.seek($0) }
            while let current = entry, current.key.starts(with: start) {
                try body(Array(current.key.dropFirst(prefix.count)), current.value)
                entry = try cursor.next()
            }
        }
    }
}
