import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// The audit report's entries and totals against the generator's own amounts, and its chain verification.
@Suite struct AuditTests {
    @Test func totalsEqualTheSumOfTheGeneratorsAmounts() async throws {
        let flows = Array(WorkloadGenerator(seed: 4).flows().prefix(400))
        let lines = flows.flatMap(\.events).sorted {
            ($0.occurredAtNanoseconds, $0.flowIndex) < ($1.occurredAtNanoseconds, $1.flowIndex)
        }.map(\.line)
        let store = try TemporaryStore()
        let projections = try await store.project(lines)
        let report = try AuditReport.make(AuditQuery(), projections: projections)
        let orders = flows.compactMap(\.order)
        func expected(_ amounts: [(currency: String, amount: String?)]) -> [String: Money] {
            amounts.reduce(into: [:]) { sums, item in
                guard let text = item.amount, let amount = Money(text) else { return }
                sums[item.currency, default: .zero] += amount
            }
        }
        func reported(_ type: String) -> [String: Money] {
            Dictionary(
                uniqueKeysWithValues: report.totals.filter { $0.type == type }.map {
                    ($0.currency, $0.amount)
                })
        }
        #expect(reported("payment.captured") == expected(orders.map { ($0.currency, $0.capturedAmount) }))
        #expect(reported("payment.refunded") == expected(orders.map { ($0.currency, $0.refundedAmount) }))
        #expect(reported("invoice.posted") == expected(orders.map { ($0.currency, $0.invoiceGrandTotal) }))
        let credited = orders.filter { $0.creditNoteId != nil }
        #expect(reported("invoice.credited") == expected(credited.map { ($0.currency, $0.refundedAmount) }))
        #expect(report.totals.allSatisfy { $0.currency.count == 3 && $0.currency != "???" })
        let moneyEvents = flows.flatMap(\.events).filter { AuditReport.amountMember[$0.type] != nil }
        let updatesWithoutTotals = moneyEvents.filter {
            $0.type == "order.updated" && !$0.payloadJSON.contains("grandTotal")
        }
        #expect(report.entries.count == moneyEvents.count - updatesWithoutTotals.count)
        guard case .intact(let segment) = report.verification else {
            Issue.record("the chain should verify: \(String(describing: report.verification))")
            return
        }
        #expect(segment.position == report.entries.last?.position)
    }

    @Test func filtersByDomainActorOriginAndOccurredAt() async throws {
        let store = try TemporaryStore()
        let projections = try await store.project(
            Events.paidOrder("SO-1", payment: "pi_1", amount: "40.00")
                + [
                    EventLine.make(
                        type: "payment.refunded", entityId: "pi_1",
                        payload: #"{"orderId":"SO-1","amount":"15.00"}"#,
                        origin: "shopify-admin", actor: "user:alice@example.com", occurredAt: Events.at(30)),
                    Events.make("stock.received", "SKU-1@WH", #"{"quantity":5}"#, minute: 31),
                ])
        let all = try AuditReport.make(AuditQuery(), projections: projections)
        #expect(
            all.entries.map(\.type) == [
                "order.created", "payment.authorized", "payment.captured", "payment.refunded",
            ])
        #expect(all.entries.last?.currency == "EUR")  // from the payment, the refund named none
        #expect(all.netCollected.map(\.amount.description) == ["25.00"])
        let alice = try AuditReport.make(
            AuditQuery(actor: "user:alice@example.com"), projections: projections)
        #expect(alice.entries.map(\.position) == [4])
        if case .intact(let segment) = alice.verification {
            #expect(segment.position == 4)
        } else {
            Issue.record("not verified")
        }
        let admin = try AuditReport.make(
            AuditQuery(domains: [.payment], origin: "shopify-admin"), projections: projections)
        #expect(admin.entries.map(\.amount.description) == ["15.00"])
        let early = try AuditReport.make(
            AuditQuery(from: Timestamp(rfc3339: Events.at(1)), until: Timestamp(rfc3339: Events.at(2))),
            projections: projections)
        #expect(early.entries.map(\.type) == ["payment.authorized"])
        let none = try AuditReport.make(AuditQuery(actor: "user:nobody"), projections: projections)
        #expect(none.entries.isEmpty && none.verification == nil)
    }
}
