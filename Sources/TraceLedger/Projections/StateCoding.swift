/// Writes a projection state as canonical bytes: the same state always gives the same bytes, so a digest of
/// the stored states tells whether a rebuild and an incremental catch-up agree.
///
/// Integers are 8 bytes big-endian, strings a 4-byte length and UTF-8, optionals a 0/1 byte, arrays a
/// 4-byte count. Not Sendable: a buffer being filled on one thread.
struct StateWriter {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(256) }

    mutating func write(_ value: UInt64) { value.appendBigEndian(to: &bytes) }

    mutating func write(_ value: Int64) { write(UInt64(bitPattern: value)) }

    mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func write(_ value: String) {
        let utf8 = value.utf8
        write(count: utf8.count)
        bytes.append(contentsOf: utf8)
    }

    mutating func write(_ value: Money) {
        write(UInt64(truncatingIfNeeded: value.units >> 64))
        write(UInt64(truncatingIfNeeded: value.units))
        bytes.append(UInt8(value.scale))
    }

    mutating func write(_ value: Timestamp) { write(value.nanosecondsSinceEpoch) }

    mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }

    mutating func write(_ value: Timestamp?) {
        write(value != nil)
        if let value { write(value) }
    }

    mutating func write(_ values: [String]) {
        write(count: values.count)
        for value in values { write(value) }
    }

    mutating func write(_ values: [UInt64]) {
        write(count: values.count)
        for value in values { write(value) }
    }

    mutating func write(count: Int) { UInt32(count).appendBigEndian(to: &bytes) }
}

/// Reads what `StateWriter` wrote, throwing `LedgerError.corrupted` when the bytes end early.
///
/// Not Sendable: a cursor over a buffer read on one thread.
struct StateReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard offset + count <= bytes.count else {
            throw LedgerError(
                .corrupted,
                "a projection state ends early; rebuild the projections with `traceledger project --rebuild`")
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    mutating func uint64() throws -> UInt64 { UInt64(bigEndianBytes: try take(8)) }

    mutating func int64() throws -> Int64 { Int64(bitPattern: try uint64()) }

    mutating func bool() throws -> Bool { try take(1)[0] != 0 }

    mutating func count() throws -> Int { Int(UInt32(bigEndianBytes: try take(4))) }

    mutating func string() throws -> String { String(decoding: try take(try count()), as: UTF8.self) }

    mutating func money() throws -> Money {
        let high = try uint64()
        let low = try uint64()
        let scale = Int(try take(1)[0])
        return Money(units: Int128(Int64(bitPattern: high)) << 64 | Int128(low), scale: scale)
    }

    mutating func timestamp() throws -> Timestamp { Timestamp(nanosecondsSinceEpoch: try int64()) }

    mutating func optionalString() throws -> String? { try bool() ? try string() : nil }

    mutating func optionalTimestamp() throws -> Timestamp? { try bool() ? try timestamp() : nil }

    mutating func strings() throws -> [String] { try (0..<count()).map { _ in try string() } }

    mutating func positions() throws -> [UInt64] { try (0..<count()).map { _ in try uint64() } }
}
