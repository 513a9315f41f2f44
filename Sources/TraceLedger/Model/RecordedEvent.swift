/// An event as the ledger holds it: the content received plus what the append assigned.
@dynamicMemberLookup
public struct RecordedEvent: Sendable, Equatable {
    /// Global, gapless, from 1.
    public let position: UInt64
    /// The entity's version after this event, from 1.
    public let streamVersion: UInt64
    /// The ledger's clock at append: strictly increasing with position.
    public let recordedAt: Timestamp
    /// SHA-256 over the previous event's hash and this event's canonical bytes.
    public let hash: ChainHash
    public let content: EventContent
    /// Set when the event's payload was erased (`traceledger erase`): `content.payload` is then the
    /// tombstone, and this says who erased it, when, why, and the digest the Merkle leaf keeps.
    public let erasure: Erasure?

    public init(
        position: UInt64, streamVersion: UInt64, recordedAt: Timestamp, hash: ChainHash,
        content: EventContent,
        erasure: Erasure? = nil
    ) {
        self.position = position
        self.streamVersion = streamVersion
        self.recordedAt = recordedAt
        self.hash = hash
        self.content = content
        self.erasure = erasure
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<EventContent, Value>) -> Value {
        content[keyPath: keyPath]
    }
}

/// A SHA-256 digest in the hash chain.
///
/// Held inline as four big-endian words, not as an array: every decoded event carries one, and a heap
/// allocation per event was a visible part of a full scan.
public struct ChainHash: Sendable, Hashable, CustomStringConvertible {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    /// 32 bytes.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for word in [words.0, words.1, words.2, words.3] { bytes.append(contentsOf: word.bigEndianBytes) }
        return bytes
    }

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a chain hash has 32 bytes")
        self = bytes.withUnsafeBytes { ChainHash(copying: $0) }
    }

    /// The hash in the first 32 bytes of `raw` (which must hold at least 32).
    init(copying raw: UnsafeRawBufferPointer) {
        precondition(raw.count >= 32, "a chain hash has 32 bytes")
        func word(_ offset: Int) -> UInt64 {
            UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        words = (word(0), word(8), word(16), word(24))
    }

    /// Calls `body` with the 32 bytes, without allocating.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var bigEndian = (words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian)
        return try Swift.withUnsafeBytes(of: &bigEndian, body)
    }

    public static func == (lhs: ChainHash, rhs: ChainHash) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// The hash before the first event: 32 zero bytes.
    public static let genesis = ChainHash(bytes: [UInt8](repeating: 0, count: 32))

    /// Lowercase hexadecimal.
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the lowercase hexadecimal text to `out`.
    func append(to out: inout [UInt8]) {
        withUnsafeBytes { raw in
            for byte in raw {
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0x0F))
            }
        }
    }
}
