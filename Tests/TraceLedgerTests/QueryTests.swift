import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// Trace, history and events queries against the generator's known flows.
@Suite struct QueryTests {
    /// A store holding the first `count` flows of a seeded workload, appended in generation order.
    static func storeWithFlows(_ count: Int, seed: UInt64 = 7) async throws -> (
        TemporaryStore, [GeneratedFlow]
    ) {
        let store = try TemporaryStore()
        let flows = Array(WorkloadGenerator(seed: seed).flows().prefix(count))
        let decoder = EventDecoder()
        var events = flows.flatMap(\.events)
        events.sort { $0.occurredAtNanoseconds < $1.occurredAtNanoseconds }
        for chunk in stride(from: 0, to: events.count, by: 500) {
            let batch = try events[chunk..<min(events.count, chunk + 500)].map { try decoder.decode($0.line) }
            _ = try await store.ledger.append(batch)
        }
        return (store, flows)
    }

    @Test func traceReturnsExactlyTheFlowsEventsInOrder() async throws {
        let (store, flows) = try await Self.storeWithFlows(120)
        for flow in flows {
            let events = try store.ledger.events(forTrace: flow.traceId)
            #expect(
                Set(events.map(\.eventId.description)) == Set(flow.events.map(\.eventId)),
                "trace \(flow.traceId)")
            #expect(events.map(\.position) == events.map(\.position).sorted())
            #expect(events.allSatisfy { $0.traceId == flow.traceId })
        }
    }

    @Test func historyIsEachEntitysStreamWithGaplessVersions() async throws {
        let (store, flows) = try await Self.storeWithFlows(120)
        var expected: [StreamKey: [String]] = [:]
        for event in flows.flatMap(\.events).sorted(by: {
            $0.occurredAtNanoseconds < $1.occurredAtNanoseconds
        }) {
            expected[
                StreamKey(domain: Domain(rawValue: event.domain)!, entityId: event.entityId), default: []
            ].append(event.eventId)
        }
        for (stream, ids) in expected {
            let history = try store.ledger.history(of: stream)
            #expect(history.map(\.eventId.description) == ids, "\(stream)")
            #expect(history.map(\.streamVersion) == Array(1...UInt64(ids.count)))
        }
    }

    @Test func eventsFilterByPositionDomainTypeAndActor() async throws {
        let (store, flows) = try await Self.storeWithFlows(80)
        let total = flows.reduce(0) { $0 + $1.events.count }
        #expect(try store.ledger.head().position == UInt64(total))
        let all = try store.ledger.events(matching: EventQuery())
        #expect(all.count == total)
        #expect(all.map(\.position) == Array(1...UInt64(total)))
        let window = try store.ledger.events(matching: EventQuery(from: .position(10), until: .position(19)))
        #expect(window.map(\.position) == Array(10...19))
        let captures = try store.ledger.events(
            matching: EventQuery(domains: [.payment], types: ["payment.captured"]))
        #expect(captures.count == flows.flatMap(\.events).filter { $0.type == "payment.captured" }.count)
        #expect(captures.allSatisfy { $0.type == "payment.captured" })
        let actor = "service:erp-sync"
        let byActor = try store.ledger.events(matching: EventQuery(actor: actor))
        #expect(byActor.count == flows.flatMap(\.events).filter { $0.actor == actor }.count)
        let limited = try store.ledger.events(matching: EventQuery(domains: [.stock], limit: 7))
        #expect(limited.count == 7 && limited.allSatisfy { $0.domain == .stock })
    }

    @Test func eventsByTimeFindTheFirstRecordedAtOrAfter() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        var boundaries: [Timestamp] = []
        for round in 0..<5 {
            boundaries.append(Timestamp.now())
            let batch = try (0..<10).map { index in
                try decoder.decode(
                    EventLine.make(
                        type: "stock.received", entityId: "SKU-\(round)-\(index)@WH",
                        payload: #"{"quantity":1}"#))
            }
            _ = try await store.ledger.append(batch)
        }
        for (round, boundary) in boundaries.enumerated() {
            #expect(try store.ledger.firstPosition(recordedAtOrAfter: boundary) == UInt64(round * 10 + 1))
            let since = try store.ledger.events(matching: EventQuery(from: .time(boundary)))
            #expect(since.first?.position == UInt64(round * 10 + 1))
            #expect(since.count == (5 - round) * 10)
            let before = try store.ledger.events(matching: EventQuery(until: .time(boundary)))
            #expect(before.count == round * 10)
        }
        #expect(try store.ledger.firstPosition(recordedAtOrAfter: Timestamp.now()) == nil)
        let recorded = try store.ledger.events(matching: EventQuery()).map(\.recordedAt)
        #expect(zip(recorded, recorded.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func anUnknownTraceOrEntityIsEmptyNotAnError() async throws {
        let store = try TemporaryStore()
        #expect(try store.ledger.events(forTrace: "nope").isEmpty)
        #expect(try store.ledger.history(of: StreamKey(domain: .order, entityId: "SO-0")).isEmpty)
        #expect(try store.ledger.events(matching: EventQuery(from: .position(5))).isEmpty)
    }
}
