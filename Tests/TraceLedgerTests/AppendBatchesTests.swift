import Testing
import TraceLedger
import TraceLedgerTesting

@Suite struct AppendBatchesTests {
    @Test func batchesQueuedTogetherCommitInOrderAndARejectedOneFailsAlone() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        func batch(_ name: String, count: Int) throws -> [ProposedEvent] {
            try (0..<count).map { index in
                try decoder.decode(
                    EventLine.make(
                        type: "stock.received", entityId: "SKU-\(name)-\(index)@WH-BER",
                        payload: #"{"quantity":5}"#,
                        traceId: "trace-\(name)"))
            }
        }
        var conflicting = try batch("b", count: 3)
        conflicting.append(
            try decoder.decode(
                EventLine.make(
                    type: "stock.received", entityId: "SKU-x@WH-BER", payload: #"{"quantity":5}"#,
                    eventId: "22222222-2222-4222-8222-222222222222")))
        conflicting.append(
            try decoder.decode(
                EventLine.make(
                    type: "stock.received", entityId: "SKU-x@WH-BER", payload: #"{"quantity":6}"#,
                    eventId: "22222222-2222-4222-8222-222222222222")))
        let results = await store.ledger.append(batches: [
            try batch("a", count: 5), conflicting, [], try batch("c", count: 4),
        ])
        #expect(results.count == 4)
        let first = try results[0].get()
        #expect(first.map(\.position) == Array(1...5))
        #expect(throws: LedgerError.self) { try results[1].get() }
        #expect(try results[2].get().isEmpty)
        #expect(try results[3].get().map(\.position) == Array(6...9))
        #expect(try store.ledger.events(forTrace: "trace-b").isEmpty)
        #expect(try store.ledger.events(forTrace: "trace-c").count == 4)
        #expect(try store.ledger.verify() == .intact(head: store.ledger.head()))
    }
}
