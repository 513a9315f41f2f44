public import TraceLedger

/// The systems whose webhooks the ledger receives.
public enum Provider: String, Sendable, CaseIterable {
    case shopify, stripe

    /// The actor of events a webhook delivered, unless the payload names a person.
    var webhookActor: String { "service:\(rawValue)-webhooks" }
}

/// One delivery from a provider, verified (or loaded by a backfill), before it is mapped to ledger events.
///
/// Sendable: plain values.
public struct ProviderDelivery: Sendable {
    public let provider: Provider
    /// The Shopify topic (`orders/create`) or the Stripe event type (`charge.refunded`).
    public let topic: String
    /// What makes redeliveries of one change the same delivery: Shopify's event id (else its webhook id), the
    /// Stripe event id.
    public let deliveryId: String
    /// Where the delivery came from: the shop's domain; the Stripe account and mode.
    public let scope: String
    /// The body exactly as received: the evidence.
    public let body: [UInt8]
    /// Loaded by `traceledger ingest` rather than received: origin and actor say so.
    public let isBackfill: Bool

    public init(
        provider: Provider, topic: String, deliveryId: String, scope: String, body: [UInt8],
        isBackfill: Bool = false
    ) {
        self.provider = provider
        self.topic = topic
        self.deliveryId = deliveryId
        self.scope = scope
        self.body = body
        self.isBackfill = isBackfill
    }

    /// `shopify` or `shopify-backfill`.
    var origin: String { isBackfill ? "\(provider.rawValue)-backfill" : provider.rawValue }

    /// The actor for events no person is named in.
    var serviceActor: String { isBackfill ? "service:\(provider.rawValue)-backfill" : provider.webhookActor }

    /// The id of the `index`th event mapped from this delivery: the same for every redelivery, also after a
    /// restart, so the ledger records a delivery once.
    func eventId(index: Int) -> EventID {
        EventID.derived(
            fromText: [provider.rawValue, scope, deliveryId, topic, String(index)].joined(separator: "\u{0}"))
    }
}
