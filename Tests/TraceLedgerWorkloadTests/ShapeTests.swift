import Foundation
import Testing
import TraceLedgerWorkload

/// The shape of the stream: sizes, every event type, the envelope, the payload fields.
@Suite struct ShapeTests {
    /// The required payload fields of every type, as in `schemas/` (the project's validator is
    /// not available to this package; the schemas themselves were checked with Python jsonschema).
    static let requiredPayloadFields: [String: [String]] = [
        "order.created": ["customerId", "currency", "lines", "netTotal", "taxTotal", "grandTotal"],
        "order.updated": [], "order.accepted": ["erpOrderId"], "order.rejected": ["reason"],
        "order.fulfilled": ["warehouse", "lines"], "order.cancelled": ["reason"],
        "payment.authorized": ["orderId", "amount", "currency"],
        "payment.captured": ["orderId", "amount", "currency"],
        "payment.failed": ["orderId", "amount", "currency"], "payment.refunded": ["orderId", "amount"],
        "stock.received": ["quantity"], "stock.reserved": ["quantity"], "stock.released": ["quantity"],
        "stock.shipped": ["quantity"], "stock.adjusted": ["delta", "reason"], "stock.counted": ["onHand"],
        "invoice.posted": ["orderId", "currency", "netTotal", "taxTotal", "grandTotal"],
        "invoice.paid": ["amount"],
        "invoice.credited": ["amount", "reason"], "customer.created": [], "customer.updated": [],
        "customer.merged": ["intoCustomerId"], "ledger.replay_started": ["consumer", "sink", "fromPosition"],
        "ledger.dead_letter_retried": ["consumer", "position", "reason"],
        "ledger.dead_letter_discarded": ["consumer", "position", "reason"],
    ]
    static let decimalFields: Set = [
        "amount", "netTotal", "taxTotal", "grandTotal", "unitPrice", "lineTotal", "taxRate",
    ]

    @Test func aboutEightEventsPerTraceAndAbout360Bytes() {
        let events = Samples.events.prefix(10_000)
        let traces = Set(events.map(\.traceId)).count
        let perTrace = Double(events.count) / Double(traces)
        let meanBytes = Double(events.reduce(0) { $0 + $1.line.utf8.count }) / Double(events.count)
        #expect((5.0...12.0).contains(perTrace), "events per trace: \(perTrace)")
        #expect((250.0...500.0).contains(meanBytes), "mean bytes: \(meanBytes)")
    }

    @Test func everyTypeAppearsIn20000Events() {
        let seen = Set(Samples.events.map(\.type))
        #expect(seen == Set(Self.requiredPayloadFields.keys))
    }

    @Test func everyLineHasTheEnvelopeInOrderAndItsRequiredPayload() throws {
        let hex = Set("0123456789abcdef")
        for event in Samples.events {
            let expectedStart =
                #"{"eventId":""# + event.eventId + #"","traceId":""# + event.traceId + #"","domain":""#
                + event.domain + #"","entityId":""# + event.entityId + #"","type":""# + event.type
                + #"","origin":""# + event.origin + #"","actor":""# + event.actor + #"","occurredAt":""#
                + event.occurredAt + #"","payload":"#
            #expect(event.line == expectedStart + event.payloadJSON + "}")
            #expect(event.type.hasPrefix(event.domain + "."))
            #expect(["service:", "user:", "system:"].contains { event.actor.hasPrefix($0) })
            #expect(!event.entityId.isEmpty && event.entityId.count <= 200)
            #expect(event.traceId.allSatisfy { hex.contains($0) })
            let payload = Samples.object(event.payloadJSON)
            let required = try #require(Self.requiredPayloadFields[event.type], "unknown type \(event.type)")
            for field in required { #expect(payload[field] != nil, "\(event.type) lacks \(field)") }
            #expect(!payload.isEmpty)
            for (key, value) in payload where Self.decimalFields.contains(key) {
                let text = try #require(value as? String, "\(event.type).\(key) must be a decimal string")
                #expect(
                    text.range(of: #"^-?(0|[1-9][0-9]*)(\.[0-9]{1,10})?$"#, options: .regularExpression)
                        != nil)
            }
            if let currency = payload["currency"] as? String {
                #expect(["EUR", "USD", "GBP"].contains(currency))
            }
        }
    }

    @Test func everyLineIsValidJSON() {
        for event in Samples.events {
            #expect(
                (try? JSONSerialization.jsonObject(with: Data(event.line.utf8))) is [String: Any],
                "\(event.line)")
        }
    }

    @Test func shopifyOrderIdIsABareIntegerAbove2To53() throws {
        let marker = #""shopifyOrderId":"#
        var found = 0
        for event in Samples.events where event.type == "order.created" {
            let range = try #require(event.payloadJSON.range(of: marker))
            let digits = event.payloadJSON[range.upperBound...].prefix { $0.isNumber }
            let value = try #require(UInt64(digits))
            #expect(value > 9_007_199_254_740_992)
            found += 1
        }
        #expect(found > 1_000)
    }

    @Test func humansRefundAndOperatorsReplay() {
        let refunds = Samples.events.filter { $0.type == "payment.refunded" }
        #expect(!refunds.isEmpty)
        #expect(refunds.allSatisfy { $0.actor.hasPrefix("user:") && $0.origin == "shopify-admin" })
        #expect(Samples.events.filter { $0.domain == "ledger" }.allSatisfy { $0.origin == "traceledger" })
        let created = Samples.events.filter { $0.type == "order.created" }
        #expect(created.allSatisfy { $0.origin == "shopify" && $0.actor == "service:shopify-connector" })
        #expect(created.allSatisfy { $0.entityId.hasPrefix("SO-1") })
    }
}
