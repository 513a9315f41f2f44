import Foundation
import NIOHTTP1
import Testing
import TraceLedger
import TraceLedgerIngest
import TraceLedgerServer
import TraceLedgerTesting

/// Shopify's and Stripe's real payloads through the webhook endpoints, signed in the test with the
/// providers' schemes: what lands in the ledger, once, on one trace per order.
@Suite struct WebhookTests {
    static let shopifySecret = "shpss_test_secret"
    static let stripeSecret = "whsec_test_secret"

    static func start(shopify: [String] = [shopifySecret], stripe: [String] = [stripeSecret]) async throws
        -> ServerHarness
    {
        var webhooks = WebhookConfiguration()
        webhooks.shopifySecrets = shopify
        webhooks.stripeSecrets = stripe
        return try await ServerHarness.start(webhooks: webhooks)
    }

    func shopify(
        _ server: ServerHarness, _ topic: String, _ body: [UInt8], eventId: String,
        secret: String = shopifySecret,
        signature: String? = nil
    ) async throws -> ServerHarness.Answer {
        try await server.request(
            .POST, "/v1/webhooks/shopify", body: String(decoding: body, as: UTF8.self),
            headers: [
                ("X-Shopify-Topic", topic), ("X-Shopify-Shop-Domain", "jsmith.myshopify.com"),
                ("X-Shopify-Event-Id", eventId), ("X-Shopify-Webhook-Id", UUID().uuidString),
                ("X-Shopify-Hmac-Sha256", signature ?? ShopifySignature.sign(body, secret: secret)),
            ])
    }

    func stripe(
        _ server: ServerHarness, _ body: [UInt8], secret: String = stripeSecret,
        at time: Int64 = Int64(Date().timeIntervalSince1970)
    ) async throws -> ServerHarness.Answer {
        try await server.request(
            .POST, "/v1/webhooks/stripe", body: String(decoding: body, as: UTF8.self),
            headers: [("Stripe-Signature", StripeSignature.sign(body, secret: secret, timestamp: time))])
    }

    @Test func everyShopifyFixtureLandsOnceWhateverTheRedeliveries() async throws {
        let server = try await Self.start()
        defer { Task { try await server.stop() } }
        let deliveries: [(String, String, String)] = [
            ("orders/create", "order", "order.created"), ("refunds/create", "refund", "payment.refunded"),
            ("inventory_levels/update", "inventory_level", "stock.counted"),
            ("customers/create", "customer", "customer.created"),
        ]
        for (index, (topic, fixture, type)) in deliveries.enumerated() {
            let body = try ProviderFixtures.shopifyBody(fixture)
            for attempt in 1...3 {
                let answer = try await shopify(server, topic, body, eventId: "shopify-event-\(index)")
                #expect(answer.status == 200, "\(topic): \(answer.body)")
                #expect(answer.json["duplicate"] as? Bool == (attempt > 1))
            }
            let recorded = try #require(try server.ledger.event(at: UInt64(index + 1)))
            #expect(recorded.type == type && recorded.origin == "shopify")
            // The body the provider sent, byte for byte, is the evidence.
            let raw = try await server.request(.GET, "/v1/events/\(index + 1)/raw")
            #expect(raw.status == 200 && Array(raw.body.utf8) == body)
        }
        #expect(try server.ledger.head().position == 4)
        let order = try #require(try server.ledger.event(at: 1))
        #expect(order.entityId == "450789469" && order.payloadText.contains(#""grandTotal":"598.94""#))
    }

    @Test func oneOrderIsOneTraceAcrossShopifyStripeAndTheERP() async throws {
        let server = try await Self.start()
        defer { Task { try await server.stop() } }
        var order = String(decoding: try ProviderFixtures.shopifyBody("order"), as: UTF8.self)
        order = order.replacingOccurrences(of: #""id": 450789469"#, with: #""id": 820982911946154508"#)
        #expect(
            try await shopify(server, "orders/create", Array(order.utf8), eventId: "e-order").status == 200)
        let paid = try ProviderFixtures.stripeEvent(
            "payment_intent", type: "payment_intent.succeeded", id: "evt_paid",
            metadata: ["order_id": "820982911946154508"], changes: ["amount_received": "59894"])
        #expect(try await stripe(server, paid).status == 200)
        let invoice = try ProviderFixtures.stripeEvent(
            "invoice", type: "invoice.finalized", id: "evt_invoice",
            metadata: ["order_id": "820982911946154508"])
        #expect(try await stripe(server, invoice).status == 200)
        // The ERP takes the order over without knowing any trace id.
        let accepted = EventLine.make(
            type: "order.accepted", entityId: "820982911946154508", payload: #"{"erpOrderId":"4500012345"}"#,
            traceId: nil, origin: "erp", actor: "service:erp-connector")
        #expect(try await server.request(.POST, "/v1/events", body: accepted).status == 201)

        let answer = try await server.request(.GET, "/v1/orders/4500012345/trace")
        #expect(answer.status == 200, "\(answer.body)")
        let events = try #require(answer.json["events"] as? [[String: Any]])
        #expect(
            events.map { $0["type"] as? String } == [
                "order.created", "payment.captured", "invoice.posted", "order.accepted",
            ])
        #expect(Set(events.compactMap { $0["traceId"] as? String }).count == 1)
        // The 64-bit id came through digit for digit, and so did Stripe's amount.
        #expect(answer.body.contains(#""shopifyOrderId":820982911946154508"#))
        #expect(answer.body.contains(#""amount":"598.94""#))
        for id in ["820982911946154508", "pi_1PgafyB7WZ01zgkWSjxsAJo3", "in_1Pgc6tB7WZ01zgkWu9fdqL6I"] {
            #expect(try await server.request(.GET, "/v1/orders/\(id)/trace").status == 200, "\(id)")
        }
        #expect(try await server.request(.GET, "/v1/orders/nope/trace").status == 404)
    }

    /// Every Stripe fixture through the endpoint, as the event types that carry it: the right ledger events,
    /// exact amounts, all on the order's trace (the shop names its order in metadata.order_id).
    @Test func everyStripeFixtureLandsWithExactAmountsOnTheOrdersTrace() async throws {
        let server = try await Self.start()
        defer { Task { try await server.stop() } }
        let order = ["order_id": "450789469"]
        let deliveries: [([UInt8], String?)] = [
            (
                try ProviderFixtures.stripeEvent(
                    "payment_intent", type: "payment_intent.amount_capturable_updated", id: "evt_1",
                    metadata: order, changes: ["amount_capturable": "59894"]), "payment.authorized"
            ),
            (
                try ProviderFixtures.stripeEvent(
                    "payment_intent", type: "payment_intent.succeeded", id: "evt_2", metadata: order,
                    changes: ["amount_received": "59894"]), "payment.captured"
            ),
            (
                try ProviderFixtures.stripeEvent(
                    "payment_intent", type: "payment_intent.payment_failed", id: "evt_3", metadata: order),
                "payment.failed"
            ),
            (
                try ProviderFixtures.stripeEvent(
                    "charge", type: "charge.refunded", id: "evt_4", metadata: order,
                    previous: #"{"amount_refunded": 0}"#,
                    changes: [
                        "amount_refunded": "20900", "payment_intent": "\"pi_1PgafyB7WZ01zgkWSjxsAJo3\"",
                    ]), "payment.refunded"
            ),
            (
                try ProviderFixtures.stripeEvent(
                    "invoice", type: "invoice.finalized", id: "evt_5", metadata: order), "invoice.posted"
            ),
            (
                try ProviderFixtures.stripeEvent(
                    "invoice", type: "invoice.paid", id: "evt_6", metadata: order,
                    changes: ["amount_paid": "1000"]), "invoice.paid"
            ),
            (
                try ProviderFixtures.stripeEvent(
                    "customer", type: "customer.created", id: "evt_7",
                    changes: ["email": #""jenny@example.com""#]), "customer.created"
            ),
            (
                try ProviderFixtures.stripeEvent(
                    "customer", type: "customer.updated", id: "evt_8", previous: #"{"name": null}"#,
                    changes: ["name": #""Jenny Rosen""#]), "customer.updated"
            ),
            // A customer with no identity at all (the fixture as it is) means nothing the customer schema can
            // hold: kept, with the reason.
            (try ProviderFixtures.stripeEvent("customer", type: "customer.created", id: "evt_7b"), nil),
            (try ProviderFixtures.stripeEvent("refund", type: "refund.created", id: "evt_9"), nil),
            (try ProviderFixtures.bytes("stripe/openapi-fixtures3.event.json"), nil),
        ]
        for (body, type) in deliveries {
            let answer = try await stripe(server, body)
            #expect(answer.status == 200, "\(answer.body)")
            #expect((answer.json["unmapped"] is NSNull) == (type != nil), "\(answer.body)")
        }
        let events = try server.ledger.events(matching: EventQuery())
        #expect(events.map(\.type) == deliveries.map { $0.1 ?? "ledger.webhook_unmapped" })
        let amounts = events.prefix(6).map { event in
            (try? JSONSerialization.jsonObject(with: Data(event.content.payload))) as? [String: Any]
        }.map { $0?["amount"] as? String ?? $0?["grandTotal"] as? String }
        #expect(amounts == ["598.94", "598.94", "10.99", "209.00", "10.00", "10.00"])
        let trace = try #require(try server.ledger.trace(ofOrder: "450789469"))
        #expect(Set(events.prefix(6).map(\.traceId)) == [trace])
        #expect(events.allSatisfy { $0.origin == "stripe" && $0.actor == "service:stripe-webhooks" })
    }

    @Test func aStripeEventDeliveredThreeTimesIsRecordedOnce() async throws {
        let server = try await Self.start()
        defer { Task { try await server.stop() } }
        let body = try ProviderFixtures.bytes("stripe/event_test_signature.json")
        var positions: Set<Int> = []
        for _ in 1...3 {
            // Every retry carries a fresh timestamp and signature.
            let answer = try await stripe(server, body)
            #expect(answer.status == 200, "\(answer.body)")
            positions.formUnion(
                ((answer.json["events"] as? [[String: Any]]) ?? []).compactMap { $0["position"] as? Int })
        }
        #expect(positions == [1])
        #expect(try server.ledger.event(at: 1)?.type == "customer.created")
    }

    @Test func aBadSignatureIsRefusedWithNothingWrittenAndCounted() async throws {
        let server = try await Self.start()
        defer { Task { try await server.stop() } }
        let order = try ProviderFixtures.shopifyBody("order")
        var tampered = order
        tampered[tampered.count / 2] ^= 0x01
        let stripeBody = try ProviderFixtures.bytes("stripe/event_test_signature.json")
        let answers = [
            try await shopify(server, "orders/create", order, eventId: "e1", secret: "another app's secret"),
            try await shopify(
                server, "orders/create", tampered, eventId: "e1",
                signature: ShopifySignature.sign(order, secret: Self.shopifySecret)),
            try await server.request(
                .POST, "/v1/webhooks/shopify", body: "{}", headers: [("X-Shopify-Topic", "orders/create")]),
            try await stripe(server, stripeBody, secret: "whsec_other"),
            try await stripe(server, stripeBody, at: Int64(Date().timeIntervalSince1970) - 400),
        ]
        for answer in answers {
            #expect(answer.status == 401 && answer.errorKind == "unauthorized", "\(answer.body)")
        }
        #expect(try server.ledger.head().position == 0)
    }

    @Test func bothSecretsOfARotationAreAccepted() async throws {
        let server = try await Self.start(
            shopify: ["shpss_new", Self.shopifySecret], stripe: ["whsec_new", Self.stripeSecret])
        defer { Task { try await server.stop() } }
        let body = try ProviderFixtures.shopifyBody("customer")
        #expect(
            try await shopify(server, "customers/create", body, eventId: "a", secret: "shpss_new").status
                == 200)
        #expect(try await shopify(server, "customers/update", body, eventId: "b").status == 200)
        let stripeBody = try ProviderFixtures.bytes("stripe/event_test_signature.json")
        #expect(try await stripe(server, stripeBody, secret: "whsec_new").status == 200)
        #expect(try server.ledger.head().position == 3)
    }

    @Test func anUnmappedTopicIsKeptWithItsBodyAndAnswered200() async throws {
        let server = try await Self.start()
        defer { Task { try await server.stop() } }
        let body = Array(#"{"id": 77, "title": "A new product"}"#.utf8)
        let answer = try await shopify(server, "products/create", body, eventId: "p1")
        #expect(answer.status == 200)
        #expect(answer.json["unmapped"] as? String == "the topic products/create has no mapping")
        let event = try #require(try server.ledger.event(at: 1))
        #expect(event.type == "ledger.webhook_unmapped" && event.domain == .ledger)
        #expect(try server.ledger.evidence(ofEventAt: 1) == body)
    }

    @Test func aSignedBodyThatIsNotJSONIs400AndAnUnconfiguredProvider503() async throws {
        let server = try await Self.start(stripe: [])
        defer { Task { try await server.stop() } }
        let answer = try await shopify(server, "orders/create", Array("not json".utf8), eventId: "x")
        #expect(answer.status == 400, "\(answer.body)")
        let unconfigured = try await stripe(
            server, try ProviderFixtures.bytes("stripe/event_test_signature.json"))
        #expect(unconfigured.status == 503 && unconfigured.body.contains("TRACELEDGER_STRIPE_SECRETS"))
        #expect(try server.ledger.head().position == 0)
    }
}
