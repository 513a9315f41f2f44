import Testing
import TraceLedgerWorkload

@Suite struct DeterminismTests {
    @Test func sameSeedGivesSameBytes() {
        let first = WorkloadGenerator.lines(seed: 42, count: 3_000)
        let second = WorkloadGenerator.lines(seed: 42, count: 3_000)
        #expect(first == second)
        #expect(first.count == 3_000)
    }

    @Test func differentSeedsDiffer() {
        let first = WorkloadGenerator.lines(seed: 42, count: 200)
        let second = WorkloadGenerator.lines(seed: 43, count: 200)
        #expect(first != second)
        #expect(Set(first).isDisjoint(with: second))
    }

    @Test func prefixStopsAtExactlyN() {
        #expect(Array(WorkloadGenerator(seed: 1).prefix(1)).count == 1)
        #expect(Array(WorkloadGenerator(seed: 1).prefix(12_345)).count == 12_345)
        #expect(WorkloadGenerator.lines(seed: 1, count: 0).isEmpty)
    }

    @Test func startTimeMovesTheWholeStream() {
        var configuration = WorkloadConfiguration(seed: 5)
        configuration.startMilliseconds = 0
        let event = WorkloadGenerator(configuration).first { _ in true }!
        #expect(event.occurredAt == "1970-01-01T00:00:00.000Z")
        let defaultStart = WorkloadGenerator(seed: 5).first { _ in true }!
        #expect(defaultStart.occurredAt == "2026-11-02T09:00:00.000Z")
        #expect(defaultStart.occurredAtNanoseconds == WorkloadConfiguration.realistic.startNanoseconds)
    }

    /// The event stream is the flows' events merged by (occurredAt, flow index, order in flow).
    @Test func eventStreamIsTheMergeOfTheFlows() {
        let events = Array(WorkloadGenerator(seed: 9).prefix(5_000))
        let lastFlow = events.map(\.flowIndex).max()!
        let flows = Array(WorkloadGenerator(seed: 9).flows().prefix(lastFlow + 1 + 200))
        var merged: [(Int64, Int, Int, GeneratedEvent)] = []
        for flow in flows {
            #expect(flow.events.allSatisfy { $0.flowIndex == flow.index && $0.traceId == flow.traceId })
            for (position, event) in flow.events.enumerated() {
                merged.append((event.occurredAtNanoseconds, flow.index, position, event))
            }
        }
        merged.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        #expect(merged.prefix(events.count).map(\.3.line) == events.map(\.line))
    }
}
