/// Why a delivery was refused: nothing of it is recorded. The server answers 401 for the signature kinds
/// (so the provider retries, and an operator sees the count in `/metrics`) and 400 for the others.
///
/// Sendable: plain values.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The signature header is missing or matches none of the secrets.
        case badSignature = "bad_signature"
        /// The signature's timestamp is outside the tolerance: a replayed or delayed request.
        case staleTimestamp = "stale_timestamp"
        /// The body or an attribute cannot be read: not JSON, a required attribute missing.
        case malformed
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
