import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

@Suite struct CompressionTests {
    @Test func aDictionaryIsTrainedAndOldRecordsStayReadable() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let lines = WorkloadGenerator.lines(seed: 3, count: 3000)
        for start in stride(from: 0, to: lines.count, by: 250) {
            _ = try await store.ledger.append(
                lines[start..<min(lines.count, start + 250)].map { try decoder.decode($0) })
        }
        let statistics = try store.ledger.statistics()
        #expect(statistics.events == 3000)
        #expect(statistics.dictionaries == 1)
        #expect(statistics.compressionRatio > 1.5)
        // Records written before and after the dictionary decode to exactly what was sent.
        let all = try store.ledger.events(matching: EventQuery())
        for (event, line) in zip(all, lines) {
            let sent = try decoder.decode(line)
            #expect(event.content == sent.content)
        }
        guard case .intact = try store.ledger.verify() else {
            Issue.record("verification failed after dictionary training")
            return
        }
    }
}
