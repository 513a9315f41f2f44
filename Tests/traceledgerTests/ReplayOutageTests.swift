import Foundation
import Testing
import TraceLedger
import TraceLedgerSinks
import TraceLedgerTesting
import TraceLedgerWorkload

/// A downstream that cannot be reached is an outage, not a stream of bad events (issue 9, item 3).
@Suite struct ReplayOutageTests {
    /// A loopback port nobody listens on.
    static func closedPort() async throws -> Int {
        let server = try await DownstreamServer()
        let port = server.port
        try await server.stop()
        return port
    }

    @Test func aReplayToNothingStopsKeepsItsCheckpointAndDeadLettersNothing() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        #expect(
            try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 93, count: 40))).status
                == 0)
        let port = try await Self.closedPort()
        let started = ContinuousClock.now
        let result = try fixture.run(
            "replay", "--to", "http://127.0.0.1:\(port)/events", "--consumer", "erp", "--backoff", "5ms")
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("unreachable since"), "\(result.stderr)")
        #expect(result.stderr.contains("connection refused"))
        #expect(result.stderr.contains("nothing was dead-lettered and the checkpoint of erp stays at 0"))
        #expect(try fixture.run("dlq", "list", "--consumer", "erp").stdout.contains("is empty"))
    }

    @Test func aFollowingReplayWaitsOutTheOutageAndDeliversEverythingOnce() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let lines = WorkloadGenerator.lines(seed: 94, count: 60)
        _ = try await store.ledger.append(try lines.map { try decoder.decode($0) })
        // The downstream is down at first, on a port we then bring it up on.
        let port = try await Self.closedPort()
        var options = ReplayOptions(consumer: "erp", actor: "user:ops@example.com")
        options.follow = true
        options.retry = RetryPolicy(base: .milliseconds(20), cap: .milliseconds(200))
        let stop = ReplayStop()
        let ledger = store.ledger
        let replay = Task {
            try await Replayer(
                ledger: ledger, sink: HTTPSink(url: "http://127.0.0.1:\(port)/events"), options: options
            )
            .run(stop: stop)
        }
        try await Task.sleep(for: .milliseconds(600))
        #expect(try ledger.deadLetters(of: "erp").isEmpty)
        let server = try await DownstreamServer(port: port)
        let expected = try lines.map { try decoder.decode($0).content.eventId.description }
        let deadline = ContinuousClock.now + .seconds(30)
        while Set(server.applied).count < expected.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        stop.request()
        _ = try await replay.value
        #expect(Set(server.applied).isSuperset(of: expected))
        #expect(try ledger.deadLetters(of: "erp").isEmpty)
        try await server.stop()
    }
}

/// A retry holds back only its own entity (issue 9, item 2).
@Suite struct ReplayRetryTests {
    @Test func anEntityWaitingForItsRetryDoesNotHoldBackTheOthers() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let payment = #"{"orderId":"SO-1","amount":"1.00","currency":"EUR"}"#
        // pi_A twice, then pi_B and pi_C: with one lane, the old delivery slept in pi_A's backoff first.
        let lines = ["pi_A", "pi_A", "pi_B", "pi_C"].map {
            EventLine.make(type: "payment.captured", entityId: $0, payload: payment)
        }
        _ = try await store.ledger.append(try lines.map { try decoder.decode($0) })
        let server = try await DownstreamServer()
        let first = try #require(try store.ledger.event(at: 1)).eventId.description
        server.respond { request, _ in
            request.idempotencyKey == first && request.attempt == 1 ? .status(503) : .ok
        }
        var options = ReplayOptions(consumer: "erp", actor: "user:ops@example.com")
        options.retry = RetryPolicy(base: .milliseconds(400), cap: .milliseconds(400))
        let summary = try await Replayer(
            ledger: store.ledger, sink: HTTPSink(url: server.url), options: options
        ).run()
        #expect(summary.delivered == 4 && summary.deadLettered == 0)
        #expect(summary.retried >= 1)
        let ids = try (1...4).map { try #require(try store.ledger.event(at: UInt64($0))).eventId.description }
        // pi_B and pi_C went while pi_A waited; pi_A's two events kept their order.
        #expect(server.applied == [ids[2], ids[3], ids[0], ids[1]], "\(server.applied)")
        try await server.stop()
    }
}

/// A replay job is durable from the moment it starts (issue 9, item 1).
@Suite struct ReplayJobTests {
    @Test func aJobStoppedBeforeItsFirstWindowIsContinuedFromItsOwnStart() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        #expect(
            try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 95, count: 500))).status
                == 0)
        // Stopped before anything was delivered (the downstream is down): the job is already on record.
        let down = try await ReplayOutageTests.closedPort()
        let stopped = try fixture.run(
            "replay", "--to", "http://127.0.0.1:\(down)/events", "--consumer", "erp", "--from", "300",
            "--backoff", "5ms")
        #expect(stopped.status == 1)
        #expect(try fixture.run("consumers", "--json").stdout.contains("\"checkpoint\":299"))
        // Another --from would change the job: refused; --restart says so on purpose.
        let other = try fixture.run("replay", "--to", "stdout", "--consumer", "erp", "--from", "100")
        #expect(other.status == 2)
        #expect(other.stderr.contains("in the middle of a replay") && other.stderr.contains("--restart"))
        // Continued without --from, it starts where the job starts, not at position 1.
        let server = try await DownstreamServer()
        let continued = try fixture.run("replay", "--to", server.url, "--consumer", "erp", "--json")
        #expect(continued.status == 0, "\(continued.stderr)")
        #expect(continued.stdout.contains("\"firstPosition\":300"))
        let first = try #require(server.requests.first?.position)
        #expect(UInt64(first) ?? 0 >= 300)
        let restarted = try fixture.run(
            "replay", "--to", server.url, "--consumer", "erp", "--restart", "--from", "100", "--json")
        #expect(restarted.status == 0)
        #expect(restarted.stdout.contains("\"firstPosition\":100"))
        try await server.stop()
    }
}
