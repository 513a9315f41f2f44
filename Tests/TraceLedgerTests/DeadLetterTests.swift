import Foundation
import Testing
import TraceLedger
import TraceLedgerSinks
import TraceLedgerTesting

/// Permanent failures, the dead-letter queue, and the manual overrides recorded in the ledger.
@Suite struct DeadLetterTests {
    /// Three payments of entity pi_A (positions 1-3) and two of pi_B (4-5), in one trace each.
    static func store() async throws -> TemporaryStore {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        var lines: [String] = []
        for (entity, trace, amounts) in [
            ("pi_A", "trace-a", ["1.00", "2.00", "3.00"]), ("pi_B", "trace-b", ["4.00", "5.00"]),
        ] {
            for amount in amounts {
                lines.append(
                    EventLine.make(
                        type: "payment.captured", entityId: entity,
                        payload: #"{"orderId":"SO-1","amount":"\#(amount)","currency":"EUR"}"#, traceId: trace
                    ))
            }
        }
        _ = try await store.ledger.append(lines.map { try decoder.decode($0) })
        return store
    }

    @Test func aRefusedEventIsDeadLetteredAndItsEntityHeldWhileOthersGoOn() async throws {
        let store = try await Self.store()
        let server = try await DownstreamServer()
        let refused = try #require(try store.ledger.event(at: 2)).eventId.description
        server.respond { request, _ in request.idempotencyKey == refused ? .status(400) : .ok }
        let summary = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: ReplayTests.options()
        ).run()
        #expect(summary.delivered == 3)  // positions 1, 4, 5
        #expect(summary.deadLettered == 1)
        #expect(summary.heldBack == 1)  // position 3 waits behind 2
        let letters = try store.ledger.deadLetters(of: "erp-feed")
        #expect(letters.map(\.position) == [2, 3])
        #expect(letters[0].state == .dead && letters[0].status == 400 && letters[0].attempts == 1)
        #expect(letters[1].state == .held(behind: 2))
        #expect(try store.ledger.consumer(named: "erp-feed")?.checkpoint == 5)
        try await server.stop()
    }

    @Test func retryAfterTheDownstreamIsFixedDeliversInOrderAndIsAudited() async throws {
        let store = try await Self.store()
        let server = try await DownstreamServer()
        let refused = try #require(try store.ledger.event(at: 2)).eventId.description
        server.respond { request, _ in request.idempotencyKey == refused ? .status(400) : .ok }
        _ = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: ReplayTests.options()
        ).run()
        // Still broken: the retry fails, the letter stays, and the attempt is on record.
        let queue = DeadLetterQueue(ledger: store.ledger, consumer: "erp-feed")
        let failed = try await queue.retry(
            positions: [2], sink: HTTPSink(url: server.url), options: ReplayTests.options(),
            actor: "user:alice@example.com",
            reason: "first try")
        #expect(failed.stillDead.map(\.position) == [2])
        // Fixed: the retry delivers 2 and then the held 3, in that order.
        server.respond { _, _ in .ok }
        let fixed = try await queue.retry(
            positions: [2], sink: HTTPSink(url: server.url), options: ReplayTests.options(),
            actor: "user:alice@example.com",
            reason: "ERP customer record repaired")
        #expect(fixed.delivered == [2, 3])
        #expect(try queue.letters().isEmpty)
        let ids = try [1, 2, 3].map { try #require(try store.ledger.event(at: $0)).eventId.description }
        #expect(server.applied.filter(ids.contains) == ids)
        // The overrides are in the ledger, in the dead letter's trace, with actor and reason.
        let overrides = try store.ledger.events(forTrace: "trace-a").filter {
            $0.type == "ledger.dead_letter_retried"
        }
        #expect(overrides.count == 2)
        #expect(overrides.allSatisfy { $0.actor == "user:alice@example.com" && $0.origin == "traceledger" })
        #expect(overrides.last?.payloadText.contains(#""reason":"ERP customer record repaired""#) == true)
        #expect(overrides.last?.payloadText.contains(#""outcome":"delivered""#) == true)
        try await server.stop()
    }

    @Test func discardReleasesTheHeldEventsAndIsAudited() async throws {
        let store = try await Self.store()
        let server = try await DownstreamServer()
        let refused = try #require(try store.ledger.event(at: 2)).eventId.description
        server.respond { request, _ in request.idempotencyKey == refused ? .status(422) : .ok }
        _ = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: ReplayTests.options()
        ).run()
        let resolution = try await DeadLetterQueue(ledger: store.ledger, consumer: "erp-feed").discard(
            positions: [2], sink: HTTPSink(url: server.url), options: ReplayTests.options(),
            actor: "user:bob@example.com",
            reason: "test order, never to reach the ERP")
        #expect(resolution.discarded == [2])
        #expect(resolution.delivered == [3])
        #expect(!server.applied.contains(refused))
        let discarded = try store.ledger.events(matching: EventQuery(types: ["ledger.dead_letter_discarded"]))
        #expect(
            discarded.count == 1 && discarded[0].traceId == "trace-a"
                && discarded[0].actor == "user:bob@example.com")
        try await server.stop()
    }

    @Test func aBatchWithOneBadEventParksOnlyThatEvent() async throws {
        let store = try await Self.store()
        let server = try await DownstreamServer()
        let refused = try #require(try store.ledger.event(at: 4)).eventId.description
        server.respond { request, _ in request.body.contains(refused) ? .status(400) : .ok }
        var options = ReplayTests.options()
        options.batchSize = 10
        let summary = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: options
        ).run()
        #expect(summary.delivered == 3)
        #expect(try store.ledger.deadLetters(of: "erp-feed").map(\.position) == [4, 5])
        #expect(server.requests.first?.body.hasPrefix("[") == true)
        try await server.stop()
    }

    @Test func exhaustedRetriesBecomeADeadLetterWithTheLastError() async throws {
        let store = try await Self.store()
        let server = try await DownstreamServer()
        server.respond { request, _ in request.body.contains("\"pi_B\"") ? .status(503) : .ok }
        var options = ReplayTests.options()
        options.maximumAttempts = 3
        let summary = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: options
        ).run()
        #expect(summary.deadLettered == 1 && summary.heldBack == 1)
        let letter = try #require(try store.ledger.deadLetters(of: "erp-feed").first)
        #expect(letter.position == 4 && letter.attempts == 3 && letter.status == 503)
        #expect(summary.retried == 2)
        try await server.stop()
    }
}

@Suite struct DeadLetterHoldTests {
    @Test func laterRunsKeepHoldingAnEntityUntilItsDeadLetterIsResolved() async throws {
        let store = try await DeadLetterTests.store()
        let server = try await DownstreamServer()
        let refused = try #require(try store.ledger.event(at: 1)).eventId.description
        server.respond { request, _ in request.idempotencyKey == refused ? .status(400) : .ok }
        _ = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: ReplayTests.options()
        ).run()
        // A new event of the blocked entity arrives; the next run holds it too, and delivers the other entity's.
        let decoder = EventDecoder()
        _ = try await store.ledger.append([
            decoder.decode(
                EventLine.make(
                    type: "payment.refunded", entityId: "pi_A",
                    payload: #"{"orderId":"SO-1","amount":"1.00"}"#,
                    traceId: "trace-a")),
            decoder.decode(
                EventLine.make(
                    type: "payment.refunded", entityId: "pi_B",
                    payload: #"{"orderId":"SO-1","amount":"1.00"}"#,
                    traceId: "trace-b")),
        ])
        let next = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: ReplayTests.options()
        ).run()
        #expect(next.delivered == 1)
        #expect(next.heldBack == 1)
        let letters = try store.ledger.deadLetters(of: "erp-feed")
        #expect(letters.filter { $0.stream.entityId == "pi_A" }.count == 4)  // 1 dead + 2 held + the new one
        #expect(letters.allSatisfy { $0.state == .dead || $0.state == .held(behind: 1) })
        try await server.stop()
    }
}
