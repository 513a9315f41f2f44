import Crypto
import Foundation

/// Checks `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=…]`: HMAC-SHA256 of `"{t}.{raw body}"` keyed by
/// the endpoint's signing secret. Any `v1` matching any secret is accepted (Stripe sends one per active secret
/// while one rolls); the timestamp must be within `tolerance` of now, so a captured request cannot be
/// replayed later.
///
/// Sendable: immutable.
public struct StripeSignature: Sendable {
    /// The secrets' bytes (a `SymmetricKey` is not Sendable; one is made per check).
    private let secrets: [[UInt8]]
    public let tolerance: Duration

    /// - Parameters:
    ///   - secrets: the signing secrets in force (`whsec_…`); empty refuses every delivery.
    ///   - tolerance: how far the signature's timestamp may be from now: 300 s, as Stripe's libraries.
    public init(secrets: [String], tolerance: Duration = .seconds(300)) {
        self.secrets = secrets.map { Array($0.utf8) }
        self.tolerance = tolerance
    }

    /// - Parameter now: seconds since 1970 (the clock, or a test's).
    /// - Throws: `IngestError` `.badSignature` when the header is missing, malformed or matches no secret;
    ///   `.staleTimestamp` when it matches but its time is outside the tolerance.
    public func verify(body: [UInt8], header: String?, now: Int64) throws(IngestError) {
        guard let header, !header.isEmpty else {
            throw IngestError(.badSignature, "the request has no Stripe-Signature header")
        }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "t": timestamp = Int64(parts[1])
            case "v1": if let bytes = Self.bytes(ofHex: parts[1]) { signatures.append(bytes) }
            default: continue  // v0 (test mode's old scheme) and future schemes are not accepted
            }
        }
        guard let timestamp else {
            throw IngestError(.badSignature, "Stripe-Signature has no timestamp (t=…)")
        }
        guard !signatures.isEmpty else {
            throw IngestError(.badSignature, "Stripe-Signature has no v1 signature")
        }
        let signed = Array("\(timestamp).".utf8) + body
        var matched = false
        for key in secrets.map({ SymmetricKey(data: $0) }) {
            for signature in signatures {
                matched =
                    HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key)
                    || matched
            }
        }
        guard matched else {
            throw IngestError(
                .badSignature,
                "Stripe-Signature matches none of the configured signing secrets: the body was altered, or the "
                    + "endpoint's secret is another one (see the endpoint in Stripe's dashboard)")
        }
        let (age, overflow) = now.subtractingReportingOverflow(timestamp)
        guard !overflow, age.magnitude <= UInt64(tolerance.components.seconds) else {
            throw IngestError(
                .staleTimestamp,
                "the signature's timestamp \(timestamp) is \(age) s from now, outside the tolerance of "
                    + "\(tolerance.components.seconds) s: a replayed request, or this machine's clock is off")
        }
    }

    /// The header value for `body` signed with `secret` at `timestamp` (tests and tools).
    public static func sign(_ body: [UInt8], secret: String, timestamp: Int64) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=" + code.map { String(format: "%02x", $0) }.joined()
    }

    private static func bytes(ofHex text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 2 * SHA256.byteCount else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let pair = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16)
            else {
                return nil
            }
            bytes.append(pair)
        }
        return bytes
    }
}
