import JSONKit

/// What is left of an erased payload (GDPR Art. 17): who erased it, when, why, the erasure event's position,
/// and the SHA-256 of the bytes that were there — which the event's Merkle leaf commits to, so the tree and
/// every proof stay valid while the bytes are gone.
///
/// The record keeps its position, envelope fields and stored chain hash; its payload becomes the tombstone
/// `{"erased":{"payloadSha256","erasedAt","erasedBy","reason","erasurePosition"}}`.
///
/// Sendable: plain values.
public struct Erasure: Sendable, Equatable {
    /// Lowercase hex SHA-256 of the erased payload's bytes.
    public let payloadDigest: String
    public let erasedAt: Timestamp
    public let erasedBy: String
    public let reason: String
    /// The `customer.erased` event that records the erasure.
    public let erasurePosition: UInt64

    public init(
        payloadDigest: String, erasedAt: Timestamp, erasedBy: String, reason: String, erasurePosition: UInt64
    ) {
        self.payloadDigest = payloadDigest
        self.erasedAt = erasedAt
        self.erasedBy = erasedBy
        self.reason = reason
        self.erasurePosition = erasurePosition
    }

    /// The tombstone payload.
    public var tombstone: [UInt8] {
        JSONValue.object([
            "erased": .object([
                "payloadSha256": .string(payloadDigest), "erasedAt": .string(erasedAt.rfc3339),
                "erasedBy": .string(erasedBy), "reason": .string(reason),
                "erasurePosition": .integer(erasurePosition),
            ])
        ]).serializedBytes()
    }

    /// Reads a tombstone.
    ///
    /// - Throws: `LedgerError` `.corrupted` when the record is marked erased but holds no tombstone.
    init(tombstone: [UInt8], position: UInt64) throws {
        let fields = Self.fields(of: tombstone)
        guard let fields, let digest = fields["payloadSha256"]?.stringValue, digest.count == 64,
            let at = fields["erasedAt"]?.stringValue.flatMap({ Timestamp(rfc3339: $0) }),
            let by = fields["erasedBy"]?.stringValue, let reason = fields["reason"]?.stringValue,
            let erasure = fields["erasurePosition"]?.numberValue?.int64Value
        else {
            throw LedgerError(
                .corrupted, "position \(position) is marked erased but holds no erasure tombstone")
        }
        self.init(
            payloadDigest: digest, erasedAt: at, erasedBy: by, reason: reason,
            erasurePosition: UInt64(erasure))
    }

    /// The tombstone's fields when `payload` is one.
    static func fields(of payload: [UInt8]) -> JSONObject? {
        guard let document = try? payload.withUnsafeBytes({ try JSONParser.parse($0) }),
            case .object(let object) = document.value, object.count == 1,
            case .object(let fields)? = object["erased"]
        else { return nil }
        return fields
    }
}
