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
        position: UInt64, streamVersion: UInt64, recordedAt: Timestamp, hash: ChainHash, content: EventContent,
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
public struct ChainHash: Sendable, Hashable, CustomStringConvertible {
    /// 32 bytes.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a chain hash has 32 bytes")
        self.bytes = bytes
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
        for byte in bytes {
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0x0F))
        }
    }
}
