import Foundation
import JSONKit
import Testing
import TraceLedger
import TraceLedgerIngest
import TraceLedgerTesting

/// The providers' real payloads become the ledger events they mean, with exact ids and amounts.
@Suite struct MappingTests {
    let mapper = DeliveryMapper()

    func shopify(_ topic: String, _ body: [UInt8], id: String = "evt-1") throws -> DeliveryMapper.Mapped {
        try mapper.events(
            for: ProviderDelivery(
                provider: .shopify, topic: topic, deliveryId: id, scope: "jsmith.myshopify.com", body: body))
    }

    func stripe(_ body: [UInt8]) throws -> DeliveryMapper.Mapped {
        try mapper.events(for: try ProviderDelivery.stripe(body: body))
    }

    func payload(_ event: ProposedEvent) throws -> JSONValue {
        try event.content.payload.withUnsafeBytes { try JSONParser.parse($0) }.value
    }

    @Test func aShopifyOrderBecomesOrderCreatedWithExactTotals() throws {
        let mapped = try shopify("orders/create", try ProviderFixtures.shopifyBody("order"))
        #expect(mapped.unmappedReason == nil)
        let event = try #require(mapped.events.first)
        #expect(event.content.type == "order.created" && event.content.entityId == "450789469")
        #expect(event.content.origin == "shopify" && event.content.actor == "service:shopify-webhooks")
        #expect(event.content.occurredAt == Timestamp(rfc3339: "2008-01-10T11:00:00-05:00"))
        #expect(event.joinsOrderTrace)
        let body = try payload(event)
        #expect(body["grandTotal"]?.stringValue == "598.94" && body["taxTotal"]?.stringValue == "11.94")
        #expect(body["netTotal"]?.stringValue == "587.00" && body["currency"]?.stringValue == "USD")
        #expect(body["customerId"]?.stringValue == "207119551")
        #expect(
            body["lines"]?.arrayValue?.map { $0["sku"]?.stringValue } == [
                "IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK",
            ])
        #expect(
            body["evidence"]?["sha256"]?.stringValue
                == DeliveryEvidence.digest(of: try ProviderFixtures.shopifyBody("order")))
    }

    @Test func a64BitShopifyIdSurvivesDigitForDigit() throws {
        var text = String(decoding: try ProviderFixtures.shopifyBody("order"), as: UTF8.self)
        text = text.replacingOccurrences(of: #""id": 450789469"#, with: #""id": 820982911946154508"#)
        let event = try #require(try shopify("orders/create", Array(text.utf8)).events.first)
        #expect(event.content.entityId == "820982911946154508")
        #expect(event.content.payloadText.contains(#""shopifyOrderId":820982911946154508"#))
    }

    @Test func aShopifyRefundIsThePaymentRefundedByTheStaffMember() throws {
        let event = try #require(
            try shopify("refunds/create", try ProviderFixtures.shopifyBody("refund")).events.first)
        #expect(event.content.type == "payment.refunded")
        #expect(event.content.actor == "user:shopify-staff-548380009")
        let body = try payload(event)
        #expect(body["orderId"]?.stringValue == "450789469" && body["amount"]?.stringValue == "209.00")
        #expect(
            body["currency"]?.stringValue == "USD"
                && body["reason"]?.stringValue == "it broke during shipping")
    }

    @Test func inventoryLevelsAndCustomersMap() throws {
        let level = try #require(
            try shopify("inventory_levels/update", try ProviderFixtures.shopifyBody("inventory_level")).events
                .first)
        #expect(level.content.type == "stock.counted")
        #expect(level.content.entityId == "shopify-item-808950810@shopify-location-655441491")
        #expect(try payload(level)["onHand"]?.numberValue?.literal == "42")
        let customer = try #require(
            try shopify("customers/create", try ProviderFixtures.shopifyBody("customer")).events.first)
        #expect(customer.content.type == "customer.created" && customer.content.entityId == "207119551")
        let body = try payload(customer)
        #expect(
            body["email"]?.stringValue == "bob.norman@mail.example.com"
                && body["name"]?.stringValue == "Bob Norman")
        #expect(body["billingAddress"]?["postalCode"]?.stringValue == "40202")
    }

    @Test func everyShopifyOrderTopicMaps() throws {
        let order = try ProviderFixtures.shopifyBody("order")
        let types = try [
            "orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
        ].map {
            try shopify($0, order).events.map(\.content.type)
        }
        #expect(
            types == [
                ["order.created"], ["order.updated"], ["payment.captured"], ["order.cancelled"],
                ["order.fulfilled"],
            ])
    }

    @Test func aRedeliveryMapsToTheSameIdsAndAnotherDeliveryToOthers() throws {
        let order = try ProviderFixtures.shopifyBody("order")
        let first = try shopify("orders/create", order).events.map(\.content)
        #expect(try shopify("orders/create", order).events.map(\.content) == first)
        #expect(
            try shopify("orders/create", order, id: "evt-2").events[0].content.eventId != first[0].eventId)
    }

    @Test func aStripePaymentIntentConvertsMinorUnitsByCurrency() throws {
        for (currency, expected) in [("usd", "10.99"), ("jpy", "1099"), ("kwd", "1.099"), ("eur", "10.99")] {
            let body = try ProviderFixtures.stripeEvent(
                "payment_intent", type: "payment_intent.succeeded", id: "evt_\(currency)",
                metadata: ["order_id": "450789469"],
                changes: ["amount_received": "1099", "currency": "\"\(currency)\""])
            let event = try #require(try stripe(body).events.first)
            #expect(
                event.content.type == "payment.captured"
                    && event.content.entityId == "pi_1PgafyB7WZ01zgkWSjxsAJo3")
            let payload = try payload(event)
            #expect(payload["amount"]?.stringValue == expected, "\(currency)")
            #expect(
                payload["currency"]?.stringValue == currency.uppercased()
                    && payload["orderId"]?.stringValue == "450789469")
        }
    }

    @Test func aChargeRefundedRecordsOnlyThisRefund() throws {
        let body = try ProviderFixtures.stripeEvent(
            "charge", type: "charge.refunded", id: "evt_refund_2", metadata: ["order_id": "450789469"],
            previous: #"{"amount_refunded": 30}"#,
            changes: ["amount_refunded": "100", "payment_intent": "\"pi_9\""])
        let event = try #require(try stripe(body).events.first)
        #expect(event.content.type == "payment.refunded" && event.content.entityId == "pi_9")
        #expect(try payload(event)["amount"]?.stringValue == "0.70")
    }

    @Test func theOrderKeyIsConfigurableAndItsAbsenceKeepsTheDeliveryUnmapped() throws {
        let body = try ProviderFixtures.stripeEvent(
            "payment_intent", type: "payment_intent.amount_capturable_updated", id: "evt_k",
            metadata: ["shop_order": "1001"],
            changes: ["amount_capturable": "1099"])
        let unmapped = try stripe(body)
        #expect(unmapped.events.map(\.content.type) == ["ledger.webhook_unmapped"])
        #expect(unmapped.unmappedReason?.contains("metadata.order_id") == true)
        let keyed = try DeliveryMapper(stripeOrderKey: "shop_order").events(
            for: try ProviderDelivery.stripe(body: body))
        #expect(keyed.events.map(\.content.type) == ["payment.authorized"])
    }

    @Test func stripeInvoicesAndCustomersMap() throws {
        let posted = try stripe(
            try ProviderFixtures.stripeEvent(
                "invoice", type: "invoice.finalized", id: "evt_i", metadata: ["order_id": "450789469"]))
        let body = try payload(try #require(posted.events.first))
        #expect(posted.events[0].content.type == "invoice.posted")
        #expect(body["grandTotal"]?.stringValue == "10.00" && body["taxTotal"]?.stringValue == "0.00")
        let customer = try stripe(try ProviderFixtures.bytes("stripe/event_test_signature.json"))
        #expect(customer.events.map(\.content.type) == ["customer.created"])
        #expect(customer.events[0].content.entityId == "cus_123")
    }

    @Test func anUnknownTypeIsKeptUnmappedWithItsReason() throws {
        let mapped = try stripe(try ProviderFixtures.bytes("stripe/openapi-fixtures3.event.json"))
        #expect(mapped.unmappedReason == "the event type plan.created has no mapping")
        let event = try #require(mapped.events.first)
        #expect(event.content.domain == .ledger && event.content.type == "ledger.webhook_unmapped")
        #expect(event.content.occurredAt == Timestamp(nanosecondsSinceEpoch: 1_234_567_890_000_000_000))
    }

    @Test func aBodyThatIsNotJSONIsRefused() {
        let error = #expect(throws: IngestError.self) { try shopify("orders/create", Array("not json".utf8)) }
        #expect(error?.kind == .malformed)
    }
}
