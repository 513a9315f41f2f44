import Testing
import TraceLedger
import TraceLedgerTesting

@Suite struct GroupCommitTests {
    @Test func concurrentAppendersLoseAndDuplicateNothing() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let appenders = 64
        let perAppender = 25
        let events = try (0..<appenders).map { appender in
            try (0..<perAppender).map { index in
                try decoder.decode(
                    EventLine.make(
                        type: "stock.reserved", entityId: "SKU-\(appender)@WH-BER",
                        payload: #"{"quantity":1,"orderId":"SO-\#(appender)-\#(index)"}"#,
                        traceId: "appender-\(appender)"))
            }
        }
        let positions = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for appender in 0..<appenders {
                group.addTask {
                    var positions: [UInt64] = []
                    for event in events[appender] {
                        positions.append(try await store.ledger.append(event).position)
                    }
                    return positions
                }
            }
            var all: [UInt64] = []
            for try await some in group {
                #expect(some == some.sorted())
                all += some
            }
            return all
        }
        let total = appenders * perAppender
        #expect(positions.sorted() == Array(1...UInt64(total)))
        #expect(try store.ledger.head().position == UInt64(total))
        for appender in 0..<appenders {
            let history = try store.ledger.history(
                of: StreamKey(domain: .stock, entityId: "SKU-\(appender)@WH-BER"))
            #expect(history.map(\.streamVersion) == Array(1...UInt64(perAppender)))
            #expect(history.map(\.payloadText) == events[appender].map(\.content.payloadText))
        }
        guard case .intact = try store.ledger.verify() else {
            Issue.record("the chain is broken after concurrent appends")
            return
        }
    }
}
