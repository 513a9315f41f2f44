import Testing
import TraceLedger
import TraceLedgerTesting

@Suite struct BatchAtomicityTests {
    @Test func aBatchWithOneConflictingEventWritesNothing() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let existing = EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload: #"{"orderId":"SO-1","amount":"1.00","currency":"EUR"}"#,
            eventId: "11111111-1111-4111-8111-111111111111")
        _ = try await store.ledger.append(decoder.decode(existing))
        let headBefore = try store.ledger.head()
        var batch: [ProposedEvent] = []
        for index in 0..<50 {
            batch.append(
                try decoder.decode(
                    EventLine.make(
                        type: "stock.received", entityId: "SKU-\(index)@WH-BER", payload: #"{"quantity":5}"#,
                        traceId: "batch-trace")))
        }
        batch.insert(
            try decoder.decode(
                EventLine.make(
                    type: "payment.captured", entityId: "pi_1",
                    payload: #"{"orderId":"SO-1","amount":"2.00","currency":"EUR"}"#,
                    eventId: "11111111-1111-4111-8111-111111111111")), at: 30)
        let error = await #expect(throws: LedgerError.self) { _ = try await store.ledger.append(batch) }
        #expect(error?.batchIndex == 30)
        #expect(try store.ledger.head() == headBefore)
        #expect(try store.ledger.events(forTrace: "batch-trace").isEmpty)
        #expect(try store.ledger.history(of: StreamKey(domain: .stock, entityId: "SKU-0@WH-BER")).isEmpty)
        #expect(try store.ledger.verify() == .intact(head: headBefore))
    }

    @Test func aRejectedBatchDoesNotDisturbOthersCommittedWithIt() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let good = try (0..<20).map { index in
            try decoder.decode(
                EventLine.make(
                    type: "stock.received", entityId: "SKU-\(index)@WH-BER", payload: #"{"quantity":1}"#))
        }
        let bad = try decoder.decode(
            EventLine.make(
                type: "stock.received", entityId: "SKU-X@WH-BER", payload: #"{"quantity":1}"#,
                expectedVersion: 7))
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for event in good { group.addTask { try await store.ledger.append([event]).count == 1 } }
            group.addTask {
                do {
                    _ = try await store.ledger.append([bad])
                    return false
                } catch let error as LedgerError {
                    return error.kind == .conflict
                }
            }
            for try await succeeded in group { #expect(succeeded) }
        }
        #expect(try store.ledger.head().position == 20)
    }
}
