import Foundation
import Testing
import TraceLedger
import TraceLedgerSinks
import TraceLedgerTesting
import TraceLedgerWorkload

/// Many callers on one store at once, the way a server puts them: nothing is lost, duplicated or mixed.
@Suite struct ConcurrencyTests {
    /// 32 tasks appending, a projection rebuild, a catch-up, two replays of one consumer and a `dlq retry` on
    /// it, all at once: every event is in the log once, the chain verifies, the consumer's counts add up, and
    /// the projections equal a rebuild made afterwards in quiet.
    @Test func everythingAtOnceLosesNothing() async throws {
        let store = try TemporaryStore()
        let ledger = store.ledger
        let decoder = EventDecoder()
        let lines = WorkloadGenerator.lines(seed: 77, count: 6_000)
        let initial = try lines[..<2_000].map { try decoder.decode($0) }
        let later = try lines[2_000...].map { try decoder.decode($0) }
        _ = try await ledger.append(initial)
        let projections = ProjectionEngine(ledger: ledger, eventsPerTransaction: 500)
        try await projections.catchUp()

        // A downstream that refuses two events: the first replay leaves them (and their entities) dead-lettered.
        let server = try await DownstreamServer()
        let refused = Set(try [100, 900].map { try #require(try ledger.event(at: $0)).eventId.description })
        server.respond { request, _ in
            refused.contains(request.idempotencyKey ?? "") ? .status(400) : .ok
        }
        let first = try await Replayer(
            ledger: ledger, sink: HTTPSink(url: server.url), options: Self.options()
        )
        .run()
        #expect(first.deadLettered == 2)
        let lettersBefore = try ledger.deadLetters(of: "erp-feed")
        server.respond { _, _ in .ok }  // the downstream is fixed: the retry below delivers the letters

        async let appended: [AppendOutcome] = withThrowingTaskGroup(of: [AppendOutcome].self) { group in
            let perTask = later.count / 32
            for task in 0..<32 {
                let mine = Array(later[task * perTask..<(task == 31 ? later.count : (task + 1) * perTask)])
                group.addTask {
                    var outcomes: [AppendOutcome] = []
                    for event in mine { outcomes.append(try await ledger.append(event)) }
                    return outcomes
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        async let rebuilt = projections.rebuild()
        async let caughtUp = projections.catchUp()
        async let replayA = Replayer(ledger: ledger, sink: HTTPSink(url: server.url), options: Self.options())
            .run()
        async let replayB = Replayer(ledger: ledger, sink: HTTPSink(url: server.url), options: Self.options())
            .run()
        async let retried = DeadLetterQueue(ledger: ledger, consumer: "erp-feed").retry(
            positions: nil, sink: HTTPSink(url: server.url), options: Self.options(),
            actor: "user:ops@example.com",
            reason: "ERP fixed")
        let outcomes = try await appended
        let (a, b, retry) = try await (replayA, replayB, retried)
        _ = try await (rebuilt, caughtUp)

        // Every event is in the log exactly once, at a position of its own, and the chain holds.
        #expect(outcomes.count == later.count && outcomes.allSatisfy { !$0.isDuplicate })
        #expect(Set(outcomes.map(\.position)).count == later.count)
        for event in later.prefix(200) + later.suffix(200) {
            #expect(try ledger.event(withId: event.content.eventId)?.content == event.content)
        }
        let head = try ledger.head()
        // The log holds the events, the three replays' ledger.replay_started and one record per retried letter.
        let retriedLetters = lettersBefore.count { $0.state == .dead }
        #expect(head.position == UInt64(lines.count + 3 + retriedLetters))
        guard case .intact = try ledger.verify() else {
            Issue.record("the chain does not verify after concurrent work")
            return
        }

        // No lost consumer update: deliveries add up, the checkpoint is the furthest either replay reached.
        let consumer = try #require(try ledger.consumer(named: "erp-feed"))
        #expect(
            consumer.delivered
                == UInt64(first.delivered + a.delivered + b.delivered + retry.delivered.count))
        #expect(consumer.checkpoint == max(a.checkpoint, b.checkpoint))
        #expect(retry.stillDead.isEmpty)
        #expect(!retry.delivered.isEmpty)
        let lettersAfter = try ledger.deadLetters(of: "erp-feed")
        #expect(lettersAfter.allSatisfy { letter in !retry.delivered.contains(letter.position) })
        #expect(lettersBefore.count >= retry.delivered.count)

        // The projections, caught up, equal a rebuild run afterwards with nothing else going on.
        try await projections.catchUp()
        let live = try projections.statuses()
        #expect(live.allSatisfy { $0.checkpoint == head.position })
        try await projections.rebuild()
        let quiet = try projections.statuses()
        #expect(live.map(\.digest) == quiet.map(\.digest))
        #expect(live.map(\.entities) == quiet.map(\.entities))
        try await server.stop()
    }

    /// Two updates of one consumer at once, each in its own write: neither is lost.
    @Test func concurrentConsumerUpdatesAddUp() async throws {
        let store = try TemporaryStore()
        let ledger = store.ledger
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await ledger.write { transaction in
                        try transaction.updateConsumer(named: "erp-feed") { $0.delivered += 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try ledger.consumer(named: "erp-feed")?.delivered == 200)
    }

    /// What a write closure reads in its snapshot includes what it wrote; a throwing closure keeps nothing.
    @Test func aWriteSeesItsOwnWritesAndAThrowingOneLeavesNothing() async throws {
        let store = try TemporaryStore()
        let ledger = store.ledger
        let event = try EventDecoder().decode(
            EventLine.make(type: "payment.captured", entityId: "pi_1", payload: Self.payment))
        let seen = try await ledger.write { transaction in
            _ = try transaction.append([event])
            return try transaction.snapshot.head().position
        }
        #expect(seen == 1)
        struct Refused: Error {}
        let second = try EventDecoder().decode(
            EventLine.make(type: "payment.captured", entityId: "pi_2", payload: Self.payment))
        await #expect(throws: Refused.self) {
            try await ledger.write { transaction in
                _ = try transaction.append([second])
                try transaction.updateConsumer(named: "x") { $0.delivered = 9 }
                throw Refused()
            }
        }
        #expect(try ledger.head().position == 1)
        #expect(try ledger.consumer(named: "x") == nil)
        #expect(try ledger.event(withId: second.content.eventId) == nil)
    }

    /// After `close()`, writes are refused as `.unavailable` and reads still answer.
    @Test func aClosedLedgerRefusesWritesAsUnavailable() async throws {
        let store = try TemporaryStore()
        let event = try EventDecoder().decode(
            EventLine.make(type: "payment.captured", entityId: "pi_1", payload: Self.payment))
        _ = try await store.ledger.append(event)
        await store.ledger.close()
        await #expect {
            _ = try await store.ledger.append(event)
        } throws: { error in
            guard let error = error as? LedgerError else { return false }
            return error.kind == .unavailable && error.message.contains("is closed")
        }
        #expect(try store.ledger.head().position == 1)
    }

    static let payment = #"{"orderId":"SO-1","amount":"1.00","currency":"EUR"}"#

    static func options() -> ReplayOptions {
        var options = ReplayOptions(consumer: "erp-feed", actor: "user:ops@example.com")
        options.retry = RetryPolicy(base: .milliseconds(5), cap: .milliseconds(50))
        options.concurrency = 4
        return options
    }
}
