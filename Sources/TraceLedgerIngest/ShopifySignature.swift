import Crypto
import Foundation

/// Checks `X-Shopify-Hmac-Sha256`: the base64 HMAC-SHA256 of the raw body, keyed by the app's client
/// secret. Several secrets may be valid at once (during a rotation); every comparison is constant-time and
/// runs before anything of the body is parsed.
///
/// Sendable: the secrets are immutable.
public struct ShopifySignature: Sendable {
    /// The secrets' bytes (a `SymmetricKey` is not Sendable; one is made per check).
    private let secrets: [[UInt8]]

    /// - Parameter secrets: the client secrets in force; empty refuses every delivery.
    public init(secrets: [String]) { self.secrets = secrets.map { Array($0.utf8) } }

    /// - Throws: `IngestError` `.badSignature` when the header is missing, not base64, or matches no secret.
    public func verify(body: [UInt8], header: String?) throws(IngestError) {
        guard let header, !header.isEmpty else {
            throw IngestError(.badSignature, "the request has no X-Shopify-Hmac-Sha256 header")
        }
        guard let signature = Data(base64Encoded: header.trimmingCharacters(in: .whitespaces)),
            signature.count == SHA256.byteCount
        else {
            throw IngestError(.badSignature, "X-Shopify-Hmac-Sha256 is not a base64 HMAC-SHA256")
        }
        // Every key is tried, so the time taken says nothing about which one (if any) matched.
        var matched = false
        for key in secrets.map({ SymmetricKey(data: $0) }) {
            matched =
                HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: key) || matched
        }
        guard matched else {
            throw IngestError(
                .badSignature,
                "X-Shopify-Hmac-Sha256 matches none of the configured secrets: the body was altered, or it was "
                    + "signed with another app's secret")
        }
    }

    /// The header value for `body` signed with `secret` (backfills and tests).
    public static func sign(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return Data(code).base64EncodedString()
    }
}
