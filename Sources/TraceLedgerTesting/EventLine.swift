public import Foundation

/// Builds one NDJSON event line for tests, with sensible defaults for every envelope field.
///
/// ```swift
/// let line = EventLine.make(type: "payment.captured", entityId: "pi_1",
///                           payload: #"{"orderId":"SO-1","amount":"59.20","currency":"EUR"}"#)
/// ```
public enum EventLine {
    /// A fixed trace id for tests that do not care.
    public static let defaultTrace = "4bf92f3577b34da6a3ce929d0e0e4736"

    /// One envelope as JSON text; `payload` is inserted verbatim. Pass `eventId: nil` to omit the id and
    /// `traceId: nil` to omit the trace (the event then joins its order's).
    public static func make(
        type: String, entityId: String, payload: String, eventId: String? = UUID().uuidString.lowercased(),
        traceId: String? = defaultTrace, domain: String? = nil, origin: String = "shopify",
        actor: String = "service:shopify-connector", occurredAt: String = "2026-11-02T09:15:03.123Z",
        expectedVersion: Int? = nil, extra: String = ""
    ) -> String {
        let domain = domain ?? String(type.prefix { $0 != "." })
        var fields: [String] = []
        if let eventId { fields.append("\"eventId\":\"\(eventId)\"") }
        if let traceId { fields.append("\"traceId\":\"\(traceId)\"") }
        fields.append("\"domain\":\"\(domain)\"")
        fields.append("\"entityId\":\"\(entityId)\"")
        fields.append("\"type\":\"\(type)\"")
        fields.append("\"origin\":\"\(origin)\"")
        fields.append("\"actor\":\"\(actor)\"")
        fields.append("\"occurredAt\":\"\(occurredAt)\"")
        if let expectedVersion { fields.append("\"expectedVersion\":\(expectedVersion)") }
        if !extra.isEmpty { fields.append(extra) }
        fields.append("\"payload\":\(payload)")
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A minimal valid payload for every event type of `schemas/`, for round-trip tests.
    public static let minimalPayloads: [String: String] = [
        "order.created":
            #"{"customerId":"CUST-1","currency":"EUR","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":"10.00"}],"netTotal":"20.00","taxTotal":"3.80","grandTotal":"23.80"}"#,
        "order.updated": #"{"taxTotal":"3.90"}"#,
        "order.accepted": #"{"erpOrderId":"4510000001"}"#,
        "order.rejected": #"{"reason":"customer blocked in ERP"}"#,
        "order.fulfilled": #"{"warehouse":"WH-BER","lines":[{"sku":"SKU-1","quantity":2}],"carrier":"DHL"}"#,
        "order.cancelled": #"{"reason":"payment failed"}"#,
        "payment.authorized": #"{"orderId":"SO-1","amount":"23.80","currency":"EUR"}"#,
        "payment.captured": #"{"orderId":"SO-1","amount":"23.80","currency":"EUR"}"#,
        "payment.failed": #"{"orderId":"SO-1","amount":"23.80","currency":"EUR"}"#,
        "payment.refunded": #"{"orderId":"SO-1","amount":"5.00"}"#,
        "stock.received": #"{"quantity":10}"#,
        "stock.reserved": #"{"quantity":2,"orderId":"SO-1"}"#,
        "stock.released": #"{"quantity":2}"#,
        "stock.shipped": #"{"quantity":2}"#,
        "stock.adjusted": #"{"delta":-1,"reason":"damaged"}"#,
        "stock.counted": #"{"onHand":7}"#,
        "invoice.posted":
            #"{"orderId":"SO-1","currency":"EUR","netTotal":"20.00","taxTotal":"3.80","grandTotal":"23.80"}"#,
        "invoice.paid": #"{"amount":"23.80"}"#,
        "invoice.credited": #"{"amount":"5.00","reason":"partial refund"}"#,
        "customer.created": #"{"email":"alice@example.com","name":"Alice"}"#,
        "customer.updated": #"{"vatId":"DE123456789"}"#,
        "customer.merged": #"{"intoCustomerId":"CUST-2"}"#,
        "customer.erased": #"{"erasedPositions":[1],"rawBodiesErased":0,"reason":"GDPR request","forgotten":true}"#,
        "ledger.replay_started":
            #"{"consumer":"erp-feed","sink":"http://erp.local/events","fromPosition":1}"#,
        "ledger.webhook_unmapped":
            #"{"provider":"stripe","topic":"plan.created","deliveryId":"evt_1","reason":"the event type plan.created has no mapping","evidence":{"provider":"stripe","topic":"plan.created","deliveryId":"evt_1","sha256":"9f2c1b0e5d4a3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a49"}}"#,
        "ledger.dead_letter_retried": #"{"consumer":"erp-feed","position":12,"reason":"ERP fixed"}"#,
        "ledger.dead_letter_discarded": #"{"consumer":"erp-feed","position":12,"reason":"test order"}"#,
        "ledger.replica_promoted": #"{"origin":"nats://127.0.0.1:4222/ledger.events","reason":"drill","head":0}"#,
    ]

    /// The entity id a test uses for a type's domain.
    public static func entityId(for type: String) -> String {
        switch type.prefix(while: { $0 != "." }) {
        case "order": "SO-1"
        case "payment": "pi_1"
        case "stock": "SKU-1@WH-BER"
        case "invoice": "INV-1"
        case "customer": "CUST-1"
        default: "erp-feed"
        }
    }
}
