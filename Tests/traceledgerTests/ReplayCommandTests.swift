import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

@Suite struct ReplayCommandTests {
    static func fixture(events: Int, seed: UInt64) throws -> CLIFixture {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        let imported = try fixture.run(
            "import", try fixture.write(WorkloadGenerator.lines(seed: seed, count: events)))
        precondition(imported.status == 0, imported.stderr)
        return fixture
    }

    /// The ids of the events a replay of the whole store should deliver (everything but the ledger domain).
    static func deliverable(_ fixture: CLIFixture) throws -> [String] {
        try fixture.run("events", "--json").lines.filter { !$0.contains("\"domain\":\"ledger\"") }.map {
            line in
            let start = line.range(of: "\"eventId\":\"")!.upperBound
            return String(line[start...].prefix(36))
        }
    }

    @Test func aKilledReplayResumesAndTheDownstreamSeesEveryEventOnce() async throws {
        let fixture = try Self.fixture(events: 3000, seed: 61)
        let server = try await DownstreamServer()
        let running = try CommandRunner.start([
            "replay", "--to", server.url, "--consumer", "erp-feed", "--rate", "1000", "--store",
            fixture.store,
        ])
        for _ in 0..<200 where server.applied.count < 700 { try await Task.sleep(for: .milliseconds(20)) }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        let before = server.applied.count
        #expect(before > 0 && before < 3000, "killed after \(before) deliveries")
        let resumed = try fixture.run("replay", "--to", server.url, "--consumer", "erp-feed", "--json")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let expected = try Self.deliverable(fixture)
        #expect(server.applied.count == expected.count)
        #expect(Set(server.applied) == Set(expected), "an event was lost or never took effect")
        let consumers = try fixture.run("consumers", "--json")
        #expect(consumers.stdout.contains("\"consumer\":\"erp-feed\""))
        #expect(consumers.stdout.contains("\"deadLetters\":0"))
        try await server.stop()
    }

    @Test func deadLettersAreWorkedThroughFromTheCommandLineWithAnAuditTrail() async throws {
        let fixture = try Self.fixture(events: 400, seed: 62)
        let server = try await DownstreamServer()
        let refused = try Self.deliverable(fixture)[10]
        server.respond { request, _ in request.idempotencyKey == refused ? .status(400) : .ok }
        let replay = try fixture.run("replay", "--to", server.url, "--consumer", "erp", "--backoff", "5ms")
        #expect(replay.status == 5)
        #expect(replay.stderr.contains("dlq list --consumer erp"))
        let list = try fixture.run("dlq", "list", "--consumer", "erp", "--json")
        let dead = try #require(list.lines.first { $0.contains("\"state\":\"dead\"") })
        #expect(dead.contains("\"eventId\":\"\(refused)\"") && dead.contains("\"status\":400"))
        let position = try #require(dead.range(of: #""position":(\d+)"#, options: .regularExpression))
            .lowerBound
        let positionText = String(dead[position...].dropFirst(11).prefix { $0.isNumber })
        let show = try fixture.run("dlq", "show", "--consumer", "erp", "--position", positionText)
        #expect(show.stdout.contains("status:      400"))
        let missingReason = try fixture.run("dlq", "retry", "--consumer", "erp", "--position", positionText)
        #expect(missingReason.status == 2)
        server.respond { _, _ in .ok }
        let retry = try fixture.run(
            "dlq", "retry", "--consumer", "erp", "--position", positionText, "--actor",
            "user:alice@example.com",
            "--reason", "customer fixed in ERP")
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(retry.stdout.contains("delivered: \(positionText)"))
        #expect(server.applied.contains(refused))
        #expect(try fixture.run("dlq", "list", "--consumer", "erp").stdout.contains("is empty"))
        let overrides = try fixture.run(
            "events", "--type", "ledger.dead_letter_retried", "--domain", "ledger", "--json")
        #expect(overrides.lines.count == 1)
        #expect(overrides.stdout.contains("\"actor\":\"user:alice@example.com\""))
        #expect(overrides.stdout.contains("customer fixed in ERP"))
        try await server.stop()
    }

    @Test func aDryRunPrintsCountsAndSendsNothing() async throws {
        let fixture = try Self.fixture(events: 300, seed: 63)
        let server = try await DownstreamServer()
        let result = try fixture.run(
            "replay", "--to", server.url, "--consumer", "erp", "--dry-run", "--domain", "payment,invoice")
        #expect(result.status == 0)
        #expect(result.stdout.contains("nothing was sent"))
        #expect(result.stdout.contains("payment.captured"))
        #expect(!result.stdout.contains("order.created"))
        #expect(server.requests.isEmpty)
        #expect(try fixture.run("consumers").stdout.contains("no consumers yet"))
        try await server.stop()
    }

    @Test func badReplayArgumentsSayWhatToDo() throws {
        let fixture = try Self.fixture(events: 10, seed: 64)
        let noSink = try fixture.run("replay", "--consumer", "erp")
        #expect(noSink.status == 2)
        #expect(noSink.stderr.contains("--to is required"))
        let badSink = try fixture.run("replay", "--consumer", "erp", "--to", "ftp://x")
        #expect(badSink.status == 2)
        #expect(badSink.stderr.contains("unknown sink"))
        #expect(
            try fixture.run("replay", "--consumer", "erp", "--to", "stdout", "--domain", "shipping").status
                == 2)
    }
}

@Suite struct ReplaySinkCommandTests {
    @Test func authorizationComesFromTheEnvironmentAndStdoutCarriesOnlyEvents() async throws {
        let fixture = try ReplayCommandTests.fixture(events: 50, seed: 65)
        let server = try await DownstreamServer()
        let result = try CommandRunner.run(
            [
                "replay", "--to", server.url, "--consumer", "erp", "--auth-env", "ERP_TOKEN", "--store",
                fixture.store,
            ],
            environment: ["ERP_TOKEN": "Bearer s3cret"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            !server.requests.isEmpty && server.requests.allSatisfy { $0.authorization == "Bearer s3cret" })
        #expect(!result.stdout.contains("s3cret") && !result.stderr.contains("s3cret"))
        let missing = try fixture.run(
            "replay", "--to", server.url, "--consumer", "erp2", "--auth-env", "NOPE_UNSET")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("NOPE_UNSET"))
        let stdout = try fixture.run("replay", "--to", "stdout", "--consumer", "printer", "--until", "5")
        #expect(stdout.status == 0)
        #expect(stdout.lines.count == 5)
        #expect(stdout.lines.allSatisfy { $0.hasPrefix("{\"position\":") })
        #expect(stdout.stderr.contains("delivered 5 of 5 events"))
        try await server.stop()
    }
}
