import Testing
import TraceLedger
import TraceLedgerTesting

/// Each projection against states computed by hand from a few events.
@Suite struct ProjectionStateTests {
    @Test func anOrderCollectsItsPaymentsInvoicesRefundsAndCreditNotes() async throws {
        let store = try TemporaryStore()
        let projections = try await store.project(
            Events.paidOrder("SO-1", payment: "pi_1")
                + [
                    Events.make("order.accepted", "SO-1", #"{"erpOrderId":"4510000001"}"#, minute: 3),
                    Events.make(
                        "order.fulfilled", "SO-1",
                        #"{"warehouse":"WH-BER","lines":[{"sku":"SKU-1","quantity":2}]}"#, minute: 4),
                    Events.make(
                        "invoice.posted", "INV-1",
                        #"{"orderId":"SO-1","currency":"EUR","netTotal":"20.00","taxTotal":"3.80","grandTotal":"23.80"}"#,
                        minute: 5),
                    Events.make(
                        "payment.refunded", "pi_1", #"{"orderId":"SO-1","amount":"11.90","currency":"EUR"}"#,
                        minute: 6),
                    Events.make(
                        "invoice.credited", "INV-1",
                        #"{"amount":"11.90","reason":"damaged","creditNoteId":"CN-1"}"#, minute: 7),
                ])
        let order = try #require(try projections.state(of: StreamKey(domain: .order, entityId: "SO-1")))
        #expect(order["status"] == "refunded")
        #expect(order["customerId"] == "CUST-1")
        #expect(order["erpOrderId"] == "4510000001")
        #expect(order["grandTotal"] == "23.80")
        #expect(order["captured"] == "23.80")
        #expect(order["refunded"] == "11.90")
        #expect(order["credited"] == "11.90")
        #expect(order["invoices"] == #"["INV-1"]"#)
        #expect(order["creditNotes"] == #"["CN-1"]"#)
        #expect(order["payments"] == #"["pi_1"]"#)
        #expect(order.lastPosition == 8)
    }

    @Test func aPaymentAddsUpAuthorizationsCapturesAndRefunds() async throws {
        let store = try TemporaryStore()
        let projections = try await store.project(
            Events.paidOrder("SO-1", payment: "pi_1", amount: "100.00")
                + [
                    Events.make(
                        "payment.refunded", "pi_1", #"{"orderId":"SO-1","amount":"30.00"}"#, minute: 5),
                    Events.make(
                        "payment.failed", "pi_2",
                        #"{"orderId":"SO-2","amount":"5.00","currency":"USD","failureCode":"card_declined"}"#),
                ])
        let paid = try #require(try projections.state(of: StreamKey(domain: .payment, entityId: "pi_1")))
        #expect(paid["status"] == "partially_refunded")
        #expect(paid["authorized"] == "100.00")
        #expect(paid["captured"] == "100.00")
        #expect(paid["refunded"] == "30.00")
        #expect(paid["orderId"] == "SO-1")
        let failed = try #require(try projections.state(of: StreamKey(domain: .payment, entityId: "pi_2")))
        #expect(failed["status"] == "failed")
        #expect(failed["failureCode"] == "card_declined")
        #expect(failed["captured"] == "0")
    }

    @Test func stockCountsOnHandReservedAndAvailable() async throws {
        let store = try TemporaryStore()
        let stock = "SKU-1@WH-BER"
        let projections = try await store.project([
            Events.make("stock.received", stock, #"{"quantity":10}"#),
            Events.make("stock.reserved", stock, #"{"quantity":3,"orderId":"SO-1"}"#, minute: 1),
            Events.make("stock.reserved", stock, #"{"quantity":2,"orderId":"SO-2"}"#, minute: 2),
            Events.make("stock.shipped", stock, #"{"quantity":3,"orderId":"SO-1"}"#, minute: 3),
            Events.make("stock.released", stock, #"{"quantity":2,"orderId":"SO-2"}"#, minute: 4),
            Events.make("stock.adjusted", stock, #"{"delta":-1,"reason":"damaged"}"#, minute: 5),
            Events.make("stock.counted", stock, #"{"onHand":5}"#, minute: 6),
            Events.make("stock.reserved", stock, #"{"quantity":7,"orderId":"SO-3"}"#, minute: 7),
        ])
        let state = try #require(try projections.state(of: StreamKey(domain: .stock, entityId: stock)))
        #expect(state["sku"] == "SKU-1")
        #expect(state["warehouse"] == "WH-BER")
        #expect(state["onHand"] == "5")
        #expect(state["reserved"] == "7")
        #expect(state["available"] == "-2")
        #expect(state["oversoldBy"] == "SO-3")
        #expect(state["lastCountedAt"] == Events.at(6))
    }

    @Test func anInvoiceIsPostedPaidAndCredited() async throws {
        let store = try TemporaryStore()
        let projections = try await store.project([
            Events.make(
                "invoice.posted", "INV-1",
                #"{"orderId":"SO-1","currency":"EUR","netTotal":"20.00","taxTotal":"3.80","grandTotal":"23.80","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":"10.00"}]}"#
            ),
            Events.make("invoice.paid", "INV-1", #"{"amount":"23.80"}"#, minute: 1),
        ])
        let paid = try #require(try projections.state(of: StreamKey(domain: .invoice, entityId: "INV-1")))
        #expect(paid["status"] == "paid")
        #expect(paid["paid"] == "23.80")
        #expect(paid["taxTotal"] == "3.80")
        _ = try await store.project([
            Events.make(
                "invoice.credited", "INV-1", #"{"amount":"5.00","reason":"late","creditNoteId":"CN-7"}"#,
                minute: 2)
        ])
        let credited = try #require(try projections.state(of: StreamKey(domain: .invoice, entityId: "INV-1")))
        #expect(credited["status"] == "credited")
        #expect(credited["credited"] == "5.00")
        #expect(credited["creditNotes"] == #"["CN-7"]"#)
    }

    @Test func customersKeepIdentityMergesErasureAndDuplicates() async throws {
        let store = try TemporaryStore()
        let projections = try await store.project([
            Events.make(
                "customer.created", "CUST-1",
                #"{"email":"Alice@Example.com","name":"Alice","vatId":"DE 123456789"}"#),
            Events.make(
                "customer.created", "CUST-2", #"{"email":"  alice@example.com ","name":"Alice B."}"#,
                minute: 1),
            Events.make("customer.created", "CUST-3", #"{"name":"Carl","vatId":"de123456789"}"#, minute: 2),
            Events.make("customer.created", "CUST-4", #"{"email":"dora@example.com"}"#, minute: 3),
            Events.make("customer.merged", "CUST-4", #"{"intoCustomerId":"CUST-1"}"#, minute: 4),
            Events.make(
                "customer.created", "CUST-5", #"{"email":"eve@example.com","name":"Eve"}"#, minute: 5),
            Events.make("customer.updated", "CUST-5", #"{"name":"Eve","forgotten":true}"#, minute: 6),
        ])
        let alice = try #require(try projections.state(of: StreamKey(domain: .customer, entityId: "CUST-1")))
        #expect(alice["email"] == "Alice@Example.com")
        #expect(alice["duplicates"] == #"["CUST-2","CUST-3"]"#)
        let merged = try #require(try projections.state(of: StreamKey(domain: .customer, entityId: "CUST-4")))
        #expect(merged["mergedInto"] == "CUST-1")
        let forgotten = try #require(
            try projections.state(of: StreamKey(domain: .customer, entityId: "CUST-5")))
        #expect(forgotten["forgotten"] == "true")
        #expect(forgotten["email"] == nil)
        #expect(forgotten["name"] == nil)
    }
}
