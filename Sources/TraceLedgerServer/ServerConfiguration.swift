import Foundation

/// How `traceledger serve` runs.
///
/// Sendable: plain values.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port; 0 picks a free one (tests).
    public var port: Int
    /// The bearer tokens and their roles; nil accepts every request (allowed on loopback only).
    public var tokens: TokenFile?
    /// How often an idle live tail sends a heartbeat comment.
    public var heartbeat: Duration = .seconds(15)
    /// The providers' webhook secrets and options.
    public var webhooks = WebhookConfiguration()

    public init(host: String = "127.0.0.1", port: Int = 8480, tokens: TokenFile? = nil) {
        self.host = host
        self.port = port
        self.tokens = tokens
    }

    /// Whether `host` is a loopback address, where running without tokens is allowed.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        // A literal 127.x.y.z only: a name such as 127.example.com may resolve anywhere.
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Parses `HOST:PORT` (`[::1]:8480` for IPv6).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (0...65535).contains(port) else {
                return nil
            }
            return (host, port)
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port), colon != text.startIndex
        else { return nil }
        return (String(text[..<colon]), port)
    }
}

/// The secrets the webhook endpoints verify deliveries with, and how Stripe payments name their order.
///
/// Sendable: plain values.
public struct WebhookConfiguration: Sendable {
    /// Shopify client secrets in force (more than one during a rotation); empty answers 503.
    public var shopifySecrets: [String] = []
    /// Stripe signing secrets in force; empty answers 503.
    public var stripeSecrets: [String] = []
    /// How far a Stripe signature's timestamp may be from now.
    public var stripeTolerance: Duration = .seconds(300)
    /// The Stripe metadata key holding the shop's order id.
    public var stripeOrderKey = "order_id"

    public init() {}

    /// Secrets from a comma-separated environment value or, with `lines`, a file of one secret per line (blank
    /// lines and lines starting with # skipped).
    public static func secrets(fromList text: String, lines: Bool = false) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || (!lines && $0 == ",") }).map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
