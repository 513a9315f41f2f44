import Crypto

/// An event's identity and idempotency key: 16 bytes, written as a UUID.
///
/// Appending an id that exists returns the original position when the content is identical and a conflict
/// when it differs, for ever (the ledger never forgets an id).
public struct EventID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 16 bytes, big-endian as in the UUID text.
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads 16 bytes (at least 16 must be available).
    public init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 16)
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
        self.init(high: high, low: low)
    }

    /// Parses the canonical UUID text (8-4-4-4-12 hexadecimal digits, either case).
    public init?(_ text: some StringProtocol) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var count = 0
        var index = 0
        for byte in text.utf8 {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                index += 1
                continue
            }
            guard let nibble = EventID.hexValue(byte) else { return nil }
            if count < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
            count += 1
            index += 1
        }
        guard count == 32, index == 36 else { return nil }
        self.init(high: high, low: low)
    }

    /// An id derived from an event's content, for events that arrive without one: the same event sent twice
    /// gets the same id, so re-importing a feed without ids still appends nothing twice. (UUID version 8.)
    public static func derived(fromDigest digest: some Sequence<UInt8>) -> EventID {
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return bytes.withUnsafeBytes { EventID(bytes: $0) }
    }

    /// An id derived from a text key (a provider's delivery id, an `Idempotency-Key`): the same key, the same
    /// id, on every machine and after every restart.
    public static func derived(fromText key: String) -> EventID {
        derived(fromDigest: SHA256.hash(data: Array(key.utf8)))
    }

    /// A random id (UUID version 4).
    public static func random() -> EventID {
        var generator = SystemRandomNumberGenerator()
        let high = (generator.next() as UInt64) & 0xFFFF_FFFF_FFFF_0FFF | 0x4000
        let low = (generator.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return EventID(high: high, low: low)
    }

    /// The 16 bytes, big-endian.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i))
        }
        return out
    }

    /// Lowercase UUID text.
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(36)
        append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the lowercase UUID text to `out`.
    func append(to out: inout [UInt8]) {
        for index in 0..<16 {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            let byte = UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> UInt64(56 - 8 * (index % 8)))
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0x0F))
        }
    }

    public static func < (lhs: EventID, rhs: EventID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 97...102: return byte - 87
        case 65...70: return byte - 55
        default: return nil
        }
    }
}

/// The lowercase hexadecimal digit of a nibble.
@inline(__always)
func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }

/// `bytes` as lowercase hexadecimal text.
func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
    var out: [UInt8] = []
    for byte in bytes {
        out.append(hexDigit(byte >> 4))
        out.append(hexDigit(byte & 0x0F))
    }
    return String(decoding: out, as: UTF8.self)
}
