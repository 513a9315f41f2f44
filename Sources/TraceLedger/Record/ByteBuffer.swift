/// Appends fixed-width big-endian integers, LEB128 varints and length-prefixed strings to a byte array.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// A writer into `buffer`'s storage, emptied: hand it back with `finish(into:)` (the appender writes each
    /// event's body and record into buffers it keeps, not into new arrays).
    init(reusing buffer: inout [UInt8]) {
        swap(&bytes, &buffer)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Moves what was written into `buffer`.
    mutating func finish(into buffer: inout [UInt8]) { swap(&bytes, &buffer) }

    mutating func append(_ value: UInt64) { value.appendBigEndian(to: &bytes) }

    mutating func append(_ value: Int64) { append(UInt64(bitPattern: value)) }

    mutating func append(_ value: UInt32) { value.appendBigEndian(to: &bytes) }

    /// An id's 16 bytes (`EventID.bytes`), written in place.
    mutating func append(_ id: EventID) {
        append(id.high)
        append(id.low)
    }

    mutating func appendVarint(_ value: Int) {
        var v = UInt64(value)
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            appendVarint(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func append(contentsOf other: some Sequence<UInt8>) { bytes.append(contentsOf: other) }
}

/// Reads what `ByteWriter` wrote, throwing `LedgerError.corrupted` when the bytes run out or make no sense.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var remaining: Int { buffer.count - offset }

    mutating func take(_ count: Int) throws(LedgerError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw LedgerError(.corrupted, "a record ends early: needed \(count) bytes at offset \(offset)")
        }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
        offset += count
        return slice
    }

    mutating func byte() throws(LedgerError) -> UInt8 { try take(1)[0] }

    mutating func uint64() throws(LedgerError) -> UInt64 { UInt64(bigEndianBytes: try take(8)) }

    mutating func int64() throws(LedgerError) -> Int64 { Int64(bitPattern: try uint64()) }

    mutating func uint32() throws(LedgerError) -> UInt32 { UInt32(bigEndianBytes: try take(4)) }

    mutating func varint() throws(LedgerError) -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try self.byte()
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
            guard shift < 63 else { throw LedgerError(.corrupted, "a record holds an overlong length") }
        }
        guard value <= UInt64(Int32.max) else {
            throw LedgerError(.corrupted, "a record holds an impossible length")
        }
        return Int(value)
    }

    mutating func string() throws(LedgerError) -> String {
        let raw = try take(try varint())
        // Envelope fields are almost always ASCII, which is valid UTF-8 as it is: `String(decoding:)` then takes its
        // specialised fast path. `String(validating:as:)` is generic and runs unspecialised here: its runtime
        // metadata lookups were ~11% of `verify` in perf.
        if ByteReader.isASCII(raw) { return String(decoding: raw, as: UTF8.self) }
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw LedgerError(.corrupted, "a record holds text that is not UTF-8")
        }
        return text
    }

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        var high: UInt64 = 0
        while offset + 8 <= raw.count {
            high |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < raw.count {
            high |= UInt64(raw[offset])
            offset += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
