import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// Every reconciliation rule with a case that triggers it and one that does not, then the generator's
/// planted problems found exactly.
@Suite struct ReconciliationTests {
    /// Findings of `rule` after appending `lines` (with a late event so that "now" is `nowMinute`).
    static func findings(
        _ rule: String, _ lines: [String], nowMinute: Int = 600, reconciler: Reconciler = Reconciler()
    )
        async throws -> [Finding]
    {
        let store = try TemporaryStore()
        let clock = Events.make("stock.received", "SKU-CLOCK@WH", #"{"quantity":1}"#, minute: nowMinute)
        let projections = try await store.project(lines + [clock])
        return try reconciler.reconcile(projections).findings.filter { $0.rule == rule }
    }

    static let accepted = Events.make("order.accepted", "SO-1", #"{"erpOrderId":"451"}"#, minute: 5)

    @Test func paidButNeverAcceptedIsCriticalAfterTheGracePeriod() async throws {
        let open = try await Self.findings("paid-not-accepted", Events.paidOrder("SO-1", payment: "pi_1"))
        #expect(open.count == 1)
        #expect(open.first?.severity == .critical)
        #expect(open.first?.entityId == "SO-1")
        #expect(open.first?.traceId == EventLine.defaultTrace)
        #expect(open.first?.evidence == [1, 3])
        #expect(
            try await Self.findings(
                "paid-not-accepted", Events.paidOrder("SO-1", payment: "pi_1") + [Self.accepted]
            ).isEmpty)
        // Within the grace period: not yet.
        #expect(
            try await Self.findings(
                "paid-not-accepted", Events.paidOrder("SO-1", payment: "pi_1"), nowMinute: 20
            ).isEmpty)
    }

    @Test func rejectedAfterCaptureIsCriticalUnlessRefunded() async throws {
        let rejected = Events.make(
            "order.rejected", "SO-1", #"{"reason":"credit_limit_exceeded"}"#, minute: 5)
        let found = try await Self.findings(
            "rejected-after-capture", Events.paidOrder("SO-1", payment: "pi_1") + [rejected])
        #expect(found.map(\.evidence) == [[3, 4]])
        #expect(found.first?.reason.contains("credit_limit_exceeded") == true)
        let refund = Events.make(
            "payment.refunded", "pi_1", #"{"orderId":"SO-1","amount":"23.80"}"#, minute: 6)
        #expect(
            try await Self.findings(
                "rejected-after-capture", Events.paidOrder("SO-1", payment: "pi_1") + [rejected, refund]
            ).isEmpty)
    }

    static func invoice(tax: String, grand: String) -> String {
        Events.make(
            "invoice.posted", "INV-1",
            #"{"orderId":"SO-1","currency":"EUR","netTotal":"20.00","taxTotal":"\#(tax)","grandTotal":"\#(grand)"}"#,
            minute: 8)
    }

    @Test func anInvoiceWhoseTaxDiffersFromTheOrderIsHigh() async throws {
        let base = Events.paidOrder("SO-1", payment: "pi_1") + [Self.accepted]
        let found = try await Self.findings(
            "invoice-mismatch", base + [Self.invoice(tax: "3.83", grand: "23.83")])
        #expect(found.count == 1)
        #expect(found.first?.severity == .high)
        #expect(found.first?.entityId == "INV-1")
        #expect(found.first?.reason.contains("tax 3.83 vs 3.80") == true)
        #expect(
            try await Self.findings("invoice-mismatch", base + [Self.invoice(tax: "3.8", grand: "23.800")])
                .isEmpty)
    }

    @Test func aRefundWithoutCreditNoteIsHigh() async throws {
        let base =
            Events.paidOrder("SO-1", payment: "pi_1") + [
                Self.accepted, Self.invoice(tax: "3.80", grand: "23.80"),
            ]
        let refund = Events.make(
            "payment.refunded", "pi_1", #"{"orderId":"SO-1","amount":"10.00"}"#, minute: 9)
        let found = try await Self.findings("refund-without-credit-note", base + [refund])
        #expect(found.map(\.evidence) == [[6]])
        let credit = Events.make("invoice.credited", "INV-1", #"{"amount":"10.00","reason":"r"}"#, minute: 10)
        #expect(try await Self.findings("refund-without-credit-note", base + [refund, credit]).isEmpty)
    }

    @Test func stockBelowZeroIsHighAndNamesTheOrder() async throws {
        let stock = "SKU-1@WH-BER"
        let received = Events.make("stock.received", stock, #"{"quantity":2}"#)
        let reserve = { (order: String, quantity: Int) in
            Events.make(
                "stock.reserved", stock, #"{"quantity":\#(quantity),"orderId":"\#(order)"}"#, minute: 1)
        }
        let found = try await Self.findings("oversold", [received, reserve("SO-1", 1), reserve("SO-2", 2)])
        #expect(found.count == 1)
        #expect(found.first?.reason == "available -1 (on hand 2, reserved 3); order SO-2 took it below zero")
        #expect(found.first?.evidence == [3])
        #expect(
            try await Self.findings("oversold", [received, reserve("SO-1", 1), reserve("SO-2", 1)]).isEmpty)
    }

    @Test func duplicateCustomersAreMediumUntilMerged() async throws {
        let created = [
            Events.make("customer.created", "CUST-1", #"{"email":"ann@example.com","vatId":"DE1"}"#),
            Events.make(
                "customer.created", "CUST-2", #"{"email":" ANN@example.com","vatId":"DE1"}"#, minute: 1),
            Events.make("customer.created", "CUST-3", #"{"email":"bob@example.com"}"#, minute: 2),
        ]
        let found = try await Self.findings("duplicate-customer", created)
        #expect(found.map(\.entityId) == ["CUST-2"])
        #expect(found.first?.reason == "same e-mail ann@example.com and VAT id DE1 as CUST-1")
        let merged = Events.make("customer.merged", "CUST-2", #"{"intoCustomerId":"CUST-1"}"#, minute: 3)
        #expect(try await Self.findings("duplicate-customer", created + [merged]).isEmpty)
    }

    @Test func anOpenOrderPastTheSLAIsMedium() async throws {
        let base = Events.paidOrder("SO-1", payment: "pi_1") + [Self.accepted]
        let sla = Reconciler(gracePeriod: .minutes(30), sla: .hours(2))
        let found = try await Self.findings("stalled-order", base, reconciler: sla)
        #expect(found.map(\.entityId) == ["SO-1"])
        #expect(found.first?.severity == .medium)
        let fulfilled = Events.make(
            "order.fulfilled", "SO-1", #"{"warehouse":"W","lines":[{"sku":"SKU-1","quantity":2}]}"#, minute: 9
        )
        #expect(try await Self.findings("stalled-order", base + [fulfilled], reconciler: sla).isEmpty)
        #expect(try await Self.findings("stalled-order", base, nowMinute: 60, reconciler: sla).isEmpty)
    }

    @Test func projectionAnomaliesAreMediumFindings() async throws {
        let stray = Events.make(
            "payment.captured", "pi_9", #"{"orderId":"SO-404","amount":"1.00","currency":"EUR"}"#)
        let found = try await Self.findings("projection-anomaly", [stray])
        #expect(found.map(\.entityId) == ["SO-404"])
        #expect(found.first?.evidence == [1])
        #expect(
            try await Self.findings("projection-anomaly", Events.paidOrder("SO-1", payment: "pi_1")).isEmpty)
    }

    @Test func theGeneratorsPlantedProblemsAreFoundExactly() async throws {
        var configuration = WorkloadConfiguration(seed: 8)
        configuration.missingERPRate = 0.03
        configuration.invoiceTaxMismatchRate = 0.03
        configuration.duplicateCustomerRate = 0.1
        let flows = Array(WorkloadGenerator(configuration).flows().prefix(600))
        let lines = flows.flatMap(\.events).sorted {
            ($0.occurredAtNanoseconds, $0.flowIndex) < ($1.occurredAtNanoseconds, $1.flowIndex)
        }.map(\.line)
        let store = try TemporaryStore()
        let projections = try await store.project(lines)
        // Every order's ERP step is done within minutes: a 5-minute grace period leaves only the planted ones.
        let now = try #require(try projections.latestOccurredAt())
        let report = try Reconciler(gracePeriod: .minutes(5), sla: .days(1)).reconcile(projections)
        func entities(_ rule: String) -> Set<String> {
            Set(report.findings.filter { $0.rule == rule }.map(\.entityId))
        }
        let orders = flows.compactMap(\.order)
        let captureTimes = Dictionary(
            uniqueKeysWithValues: flows.flatMap(\.events).filter { $0.type == "payment.captured" }.map {
                ($0.entityId, $0.occurredAtNanoseconds)
            })
        let missing = orders.filter {
            $0.missingERP
                && now.nanosecondsSinceEpoch - captureTimes[$0.paymentId]! > TimeSpan.minutes(5).nanoseconds
        }
        #expect(!missing.isEmpty)
        #expect(entities("paid-not-accepted") == Set(missing.map(\.orderId)))
        #expect(entities("rejected-after-capture") == Set(orders.filter(\.erpRejected).map(\.orderId)))
        #expect(
            entities("invoice-mismatch") == Set(orders.filter(\.invoiceTaxMismatch).compactMap(\.invoiceId)))
        #expect(entities("oversold") == Set(orders.flatMap(\.oversoldStockEntities)))
        #expect(!entities("oversold").isEmpty)
        let merged = Set(flows.compactMap(\.mergedCustomer?.duplicateId))
        let duplicates = Set(
            orders.filter { $0.duplicateOfCustomerId != nil && !merged.contains($0.customerId) }.map(
                \.customerId))
        #expect(!duplicates.isEmpty)
        #expect(entities("duplicate-customer") == duplicates)
        #expect(entities("projection-anomaly").isEmpty)
        let refundsWithoutNote = orders.filter(\.refundWithoutCreditNote)
        #expect(entities("refund-without-credit-note").isSubset(of: Set(refundsWithoutNote.map(\.orderId))))
    }

    /// The console's trace page asks for a trace's entities alone: it must get exactly what the whole report
    /// says of that trace.
    @Test func reconcilingATracesEntitiesFindsWhatTheWholeReportFindsForIt() async throws {
        var configuration = WorkloadConfiguration(seed: 9)
        configuration.missingERPRate = 0.05
        configuration.invoiceTaxMismatchRate = 0.05
        configuration.duplicateCustomerRate = 0.1
        let lines = Array(WorkloadGenerator(configuration).prefix(4_000)).map(\.line)
        let store = try TemporaryStore()
        let projections = try await store.project(lines)
        let reconciler = Reconciler(gracePeriod: .minutes(5), sla: .days(1))
        let whole = try reconciler.reconcile(projections)
        let traces = Set(whole.findings.map(\.traceId))
        #expect(traces.count >= 5, "the workload planted too few problems")
        for trace in traces {
            let entities = Set(try store.ledger.events(forTrace: trace).map(\.content.streamKey))
            let part = try reconciler.reconcile(projections, entities: entities).findings.filter { $0.traceId == trace }
            #expect(part == whole.findings.filter { $0.traceId == trace }, "trace \(trace)")
        }
    }
}
