import LMDBKit

/// The keys of a projection database. One database per projection (and per generation) holds everything
/// the projection knows, so a digest over it in key order covers the whole state:
///
/// | key | value |
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

    static func make(_ prefix: UInt8, _ text: String) -> [UInt8] { [prefix] + Array(text.utf8) }

    static func make(_ prefix: UInt8, _ text: String, _ position: UInt64) -> [UInt8] {
        [prefix] + Array(text.utf8) + [0] + position.bigEndianBytes
    }

    static func make(_ prefix: UInt8, _ text: String, _ suffix: String) -> [UInt8] {
        [prefix] + Array(text.utf8) + [0] + Array(suffix.utf8)
    }

    static func anomaly(_ position: UInt64) -> [UInt8] { [anomaly] + position.bigEndianBytes }
}

/// A projection database seen through one transaction: its secondary keys, read and written by folds.
///
/// Not Sendable: it holds a transaction, bound to its thread.
struct ProjectionIndex {
    let transaction: Transaction
    let database: Database

    func value(_ key: [UInt8]) throws -> [UInt8]? { try transaction.value(in: database, key: key) }

    func put(_ key: [UInt8], _ value: [UInt8] = []) throws {
        try transaction.put(in: database, key: key, value: value)
    }

    func delete(_ key: [UInt8]) throws { try transaction.delete(in: database, key: key) }

    /// Calls `body` with every key starting with `prefix` (copied out) and its value, in key order.
    func forEach(prefix: [UInt8], _ body: (_ key: [UInt8], _ value: UnsafeRawBufferPointer) throws -> Void)
        throws
    {
        try transaction.withCursor(on: database) { cursor in
            var entry = try prefix.withUnsafeBytes { try cursor.seek($0) }
            while let current = entry, current.key.starts(with: prefix) {
                try body(Array(current.key), current.value)
                entry = try cursor.next()
            }
        }
    }
}
