import JSONKit

/// One record as the primary committed it, carried to a replica in the envelope `replay` publishes
/// (`events --json` form): the event and the four fields the primary assigned — position, recordedAt, stream
/// version and chain hash. A replica re-creates the record from them and checks that the hash it computes is
/// the primary's before it commits (`LedgerWriteTransaction.applyReplicated`).
///
/// Sendable: plain values.
public struct ReplicatedRecord: Sendable {
    public let position: UInt64
    public let recordedAt: Timestamp
    public let streamVersion: UInt64
    /// The chain hash the primary stored.
    public let hash: ChainHash
    /// The event as it was appended, payload byte-exact and validated against its schema again.
    public let event: ProposedEvent
    /// The primary's Merkle leaf hash of the record, when the message carried it: checked too.
    public var leafHash: RFC6962.Hash?

    /// The fields the primary assigns: present in a recorded envelope, refused in one sent to be appended.
    static let assignedFields = ["position", "recordedAt", "streamVersion", "hash"]

    /// Decodes a recorded envelope.
    ///
    /// - Throws: `LedgerError` `.invalidEvent` naming what is missing or malformed.
    public static func decode(_ bytes: UnsafeRawBufferPointer, decoder: EventDecoder = EventDecoder()) throws(
        LedgerError
    ) -> ReplicatedRecord {
        let document: JSONDocument
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw LedgerError(.invalidEvent, "the message is not JSON: \(error)", rule: "json")
        }
        guard case .object(let envelope) = document.value else {
            throw LedgerError(.invalidEvent, "the message is not a recorded envelope (a JSON object)", rule: "type")
        }
        func field(_ name: String) throws(LedgerError) -> JSONValue {
            guard let value = envelope[name] else {
                throw LedgerError(
                    .invalidEvent,
                    "the message lacks \"\(name)\": publish with `traceledger replay --format envelope`, which "
                        + "carries what a replica needs", field: name, rule: "required")
            }
            return value
        }
        guard let position = try field("position").numberValue?.int64Value.flatMap(UInt64.init(exactly:)), position > 0,
            let streamVersion = try field("streamVersion").numberValue?.int64Value.flatMap(UInt64.init(exactly:)),
            streamVersion > 0,
            let recordedText = try field("recordedAt").stringValue, let recordedAt = Timestamp(rfc3339: recordedText),
            let hashText = try field("hash").stringValue, let hash = ChainHash(hex: hashText)
        else {
            throw LedgerError(
                .invalidEvent, "the message's position, streamVersion, recordedAt or hash is malformed",
                rule: "type")
        }
        // The envelope the primary was sent: every member but the assigned ones, each value's bytes as they are.
        var sent: [UInt8] = [UInt8(ascii: "{")]
        for key in envelope.keys where !assignedFields.contains(key) {
            guard let range = document.byteRange(ofMember: key) else { continue }
            if sent.count > 1 { sent.append(UInt8(ascii: ",")) }
            sent += Array(JSONString.quoted(key).utf8) + [UInt8(ascii: ":")]
            sent += bytes[range]
        }
        sent.append(UInt8(ascii: "}"))
        let decoded = sent.withUnsafeBytes { buffer in
            Result { () throws(LedgerError) in try decoder.decode(buffer) }
        }
        let event = try decoded.get()
        return ReplicatedRecord(
            position: position, recordedAt: recordedAt, streamVersion: streamVersion, hash: hash, event: event)
    }
}

extension ChainHash {
    /// A hash from its 64 hex digits.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.init(bytes: bytes)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
