import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// Batches of at least `BatchAppender.eventsForRecordLane` new events have their records made on the writer's
/// second thread and written at the end of the batch: what a reader gets back must not show it.
@Suite struct RecordLaneTests {
    @Test func aLargeBatchReadsBackAsAppendedAndVerifies() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        // Past the lane's bound of records held, so the batch also writes them before its end.
        let events = try WorkloadGenerator.lines(seed: 21, count: 5_000).map { try decoder.decode($0) }
        let small = Array(events[..<100])
        let large = Array(events[100...])
        _ = try await store.ledger.append(small)
        let outcomes = try await store.ledger.append(large)
        #expect(outcomes.map(\.position) == Array(101...5_000))
        let stored = try store.ledger.events(matching: EventQuery())
        #expect(stored.map(\.content) == events.map(\.content))
        #expect(zip(stored.dropFirst(100), outcomes).allSatisfy { $0.hash == $1.hash })
        #expect(try store.ledger.verify() == .intact(head: store.ledger.head()))
        #expect(try store.ledger.verifyIndexes().isEmpty)
    }

    @Test func anEventWithoutATraceJoinsAnOrderBegunEarlierInTheSameLargeBatch() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let order =
            #"{"customerId":"CUST-1","currency":"EUR","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":"10.00"}],"netTotal":"20.00","taxTotal":"3.80","grandTotal":"23.80"}"#
        let capture = #"{"orderId":"SO-1","amount":"23.80","currency":"EUR","providerPaymentId":"pi_77"}"#
        var batch = [
            try decoder.decode(
                EventLine.make(
                    type: "order.created", entityId: "SO-1", payload: order, traceId: "incident-42"))
        ]
        batch += try WorkloadGenerator.lines(seed: 22, count: 400).map { try decoder.decode($0) }
        // The order's own id is found through its stream's first event, whose record is in this batch.
        batch.append(
            try decoder.decode(
                EventLine.make(type: "payment.captured", entityId: "PAY-1", payload: capture, traceId: nil)))
        let outcomes = try await store.ledger.append(batch)
        let payment = try #require(try store.ledger.event(at: outcomes.last!.position))
        #expect(payment.traceId == "incident-42")
        #expect(
            try store.ledger.events(forTrace: "incident-42").map(\.type) == [
                "order.created", "payment.captured",
            ])
        #expect(try store.ledger.verifyIndexes().isEmpty)
    }
}
