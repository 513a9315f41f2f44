import Foundation
import Testing
import TraceLedger
import TraceLedgerSinks
import TraceLedgerTesting
import TraceLedgerWorkload

/// Replays to a real HTTP downstream started by the test.
@Suite struct ReplayTests {
    /// A store with `count` generated events appended in batches of 250.
    static func store(events lines: [String]) async throws -> TemporaryStore {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        for start in stride(from: 0, to: lines.count, by: 250) {
            _ = try await store.ledger.append(
                lines[start..<min(lines.count, start + 250)].map { try decoder.decode($0) })
        }
        return store
    }

    static func options(_ consumer: String = "erp-feed") -> ReplayOptions {
        var options = ReplayOptions(consumer: consumer, actor: "user:ops@example.com")
        options.retry = RetryPolicy(base: .milliseconds(5), cap: .milliseconds(50))
        return options
    }

    /// Event ids of the delivered envelopes, in the order the downstream applied them.
    static func appliedIds(_ server: DownstreamServer) -> [String] { server.applied }

    @Test func aReplayFromATimeDeliversExactlyTheEventsRecordedAfterIt() async throws {
        let lines = WorkloadGenerator.lines(seed: 51, count: 1200)
        let store = try await Self.store(events: Array(lines[..<700]))
        let since = Timestamp.now()
        let decoder = EventDecoder()
        _ = try await store.ledger.append(lines[700...].map { try decoder.decode($0) })
        let server = try await DownstreamServer()
        var options = Self.options()
        options.from = .time(since)
        let summary = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: options
        ).run()
        let expected = try store.ledger.events(matching: EventQuery(from: .position(701))).filter {
            $0.domain != .ledger
        }
        #expect(summary.delivered == expected.count)
        #expect(summary.firstPosition == 701)
        #expect(server.applied == expected.map(\.eventId.description), "one lane delivers in log order")
        let request = try #require(server.requests.first)
        #expect(request.idempotencyKey == expected.first?.eventId.description)
        #expect(request.position == "701")
        #expect(request.traceparent?.hasPrefix("00-\(expected[0].traceId)-") == true)
        #expect(request.body == expected[0].envelopeJSON())
        #expect(try store.ledger.consumer(named: "erp-feed")?.checkpoint == summary.lastPosition)
        try await server.stop()
    }

    @Test func injectedFailuresAreRetriedAndEachEventTakesEffectOnce() async throws {
        let lines = WorkloadGenerator.lines(seed: 52, count: 600)
        let store = try await Self.store(events: lines)
        let server = try await DownstreamServer()
        // Every third event fails twice before it goes through: a 500, then a 429 (or a 503), and one
        // request is answered too late (a timeout).
        server.respond { request, index in
            let failing = (request.idempotencyKey?.utf8.last ?? 0) % 3 == 0
            if index == 20 { return .delayed(.milliseconds(1500)) }
            switch (failing, request.attempt) {
            case (true, 1): return .status(500)
            case (true, 2): return index % 2 == 0 ? .status(429, retryAfterSeconds: 0) : .status(503)
            default: return .ok
            }
        }
        var options = Self.options()
        options.concurrency = 4
        let sink = HTTPSink(url: server.url, timeout: .milliseconds(500))
        let summary = try await Replayer(ledger: store.ledger, sink: sink, options: options).run()
        let expected = try store.ledger.events(matching: EventQuery()).filter { $0.domain != .ledger }
        #expect(summary.delivered == expected.count)
        #expect(summary.retried >= expected.count / 3)
        #expect(summary.deadLettered == 0)
        #expect(server.applied.count == expected.count)
        #expect(
            Set(server.applied) == Set(expected.map(\.eventId.description)), "some events never took effect")
        #expect(server.requests.count > server.applied.count)
        try await server.stop()
    }

    @Test func eachEntitysOrderIsKeptAcrossLanes() async throws {
        let store = try await Self.store(events: WorkloadGenerator.lines(seed: 53, count: 1500))
        let server = try await DownstreamServer()
        var options = Self.options()
        options.concurrency = 8
        _ = try await Replayer(ledger: store.ledger, sink: HTTPSink(url: server.url), options: options).run()
        let positionOf = Dictionary(
            uniqueKeysWithValues: try store.ledger.events(matching: EventQuery()).map {
                ($0.eventId.description, $0)
            })
        var lastPosition: [StreamKey: UInt64] = [:]
        for id in server.applied {
            let event = try #require(positionOf[id])
            let key = event.content.streamKey
            #expect((lastPosition[key] ?? 0) < event.position, "\(key) out of order")
            lastPosition[key] = event.position
        }
        #expect(server.applied.count == positionOf.values.filter { $0.domain != .ledger }.count)
        try await server.stop()
    }

    @Test func aDryRunSendsNothingAndMovesNoCheckpoint() async throws {
        let store = try await Self.store(events: WorkloadGenerator.lines(seed: 54, count: 300))
        let server = try await DownstreamServer()
        var options = Self.options()
        options.dryRun = true
        options.domains = [.payment]
        let summary = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: options
        ).run()
        let payments = try store.ledger.events(matching: EventQuery(domains: [.payment])).count
        #expect(summary.matched == payments)
        #expect(summary.countsByType.values.reduce(0, +) == payments)
        #expect(server.requests.isEmpty)
        #expect(try store.ledger.consumer(named: "erp-feed") == nil)
        #expect(try store.ledger.events(matching: EventQuery(domains: [.ledger])).isEmpty)
        try await server.stop()
    }

    @Test func withoutFromAConsumerContinuesAfterItsCheckpoint() async throws {
        let store = try await Self.store(events: WorkloadGenerator.lines(seed: 55, count: 900))
        let server = try await DownstreamServer()
        var first = Self.options()
        first.until = .position(400)
        let part = try await Replayer(ledger: store.ledger, sink: HTTPSink(url: server.url), options: first)
            .run()
        #expect(part.checkpoint == 400)
        let rest = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: Self.options()
        ).run()
        #expect(rest.firstPosition == 401)
        let expected = try store.ledger.events(matching: EventQuery(until: .position(900))).filter {
            $0.domain != .ledger
        }
        #expect(server.applied == expected.map(\.eventId.description))
        #expect(server.requests.count == expected.count)  // nothing sent twice
        let started = try store.ledger.events(matching: EventQuery(types: ["ledger.replay_started"]))
        #expect(started.count == 2)
        #expect(started.allSatisfy { $0.actor == "user:ops@example.com" })
        try await server.stop()
    }

    @Test func aFileSinkWritesEveryEnvelopeOnce() async throws {
        let store = try await Self.store(events: WorkloadGenerator.lines(seed: 56, count: 500))
        let directory = TemporaryDirectory()
        let path = directory.file("feed.ndjson")
        _ = try await Replayer(ledger: store.ledger, sink: FileSink(path: path), options: Self.options())
            .run()
        let written = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(
            String.init)
        let expected = try store.ledger.events(matching: EventQuery()).filter { $0.domain != .ledger }
        #expect(written == expected.map { $0.envelopeJSON() })
    }
}
