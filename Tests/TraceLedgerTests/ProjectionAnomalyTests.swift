import Testing
import TraceLedger
import TraceLedgerTesting

/// Events a projection cannot apply are kept as anomalies with their position; the fold goes on.
@Suite struct ProjectionAnomalyTests {
    @Test func badAndOutOfOrderEventsBecomeAnomaliesNotCrashes() async throws {
        let store = try TemporaryStore()
        let projections = try await store.project(
            [
                Events.make(
                    "payment.captured", "pi_9", #"{"orderId":"SO-404","amount":"10.00","currency":"EUR"}"#),  // 1
                Events.make("order.accepted", "SO-2", #"{"erpOrderId":"45"}"#),  // 2: before its creation
                Events.make("stock.shipped", "SKU-1@WH", #"{"quantity":2}"#),  // 3: nothing reserved
                Events.make("invoice.paid", "INV-404", #"{"amount":"1.00"}"#),  // 4
                Events.make("customer.merged", "CUST-404", #"{"intoCustomerId":"CUST-1"}"#),  // 5
            ] + Events.paidOrder("SO-1", payment: "pi_1", amount: "10.00")  // 6, 7, 8
                + [
                    Events.make(
                        "payment.refunded", "pi_1", #"{"orderId":"SO-1","amount":"80.00"}"#, minute: 3),  // 9
                    Events.make(
                        "order.created", "SO-1",
                        #"{"customerId":"C","currency":"EUR","lines":[{"sku":"S","quantity":1,"unitPrice":"1"}],"netTotal":"1","taxTotal":"0","grandTotal":"1"}"#
                    ),  // 10
                ])
        let anomalies = try projections.anomalies()
        func reasons(_ position: UInt64) -> [String] {
            anomalies.filter { $0.position == position }.map(\.reason)
        }
        #expect(reasons(1).contains { $0.contains("names order SO-404, which was never created") })
        #expect(reasons(2) == ["order.accepted for an order that was never created"])
        #expect(reasons(3) == ["shipped 2 units, but only 0 are reserved"])
        #expect(reasons(4) == ["invoice.paid for an invoice that was never posted"])
        #expect(reasons(5) == ["customer.merged for a customer that was never created"])
        #expect(reasons(9).count == 2)  // the payment and the order both refuse it
        #expect(reasons(9).allSatisfy { $0.contains("refund of 80.00 is larger than the 10.00 captured") })
        #expect(reasons(10) == ["the order was already created at position 6"])
        // The fold went on: the good events after the bad ones were applied, the refused refund was not.
        let order = try #require(try projections.state(of: StreamKey(domain: .order, entityId: "SO-1")))
        #expect(order["captured"] == "10.00")
        #expect(order["refunded"] == "0")
        #expect(try projections.statuses().allSatisfy { $0.checkpoint == 10 })
        #expect(try projections.statuses().map(\.anomalies).reduce(0, +) == anomalies.count)
    }
}
