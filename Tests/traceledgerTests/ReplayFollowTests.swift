import Foundation
import Testing
import TraceLedger
import TraceLedgerSinks
import TraceLedgerTesting
import TraceLedgerWorkload

/// `replay --follow`: the durable queue between the shop and the ERP, delivering new events as they commit.
@Suite struct ReplayFollowTests {
    @Test func aFollowingReplayDeliversEventsAppendedAfterItStarted() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let lines = WorkloadGenerator.lines(seed: 91, count: 300)
        _ = try await store.ledger.append(try lines[..<100].map { try decoder.decode($0) })
        let server = try await DownstreamServer()
        var options = ReplayOptions(consumer: "erp-feed", actor: "user:ops@example.com")
        options.follow = true
        let stop = ReplayStop()
        let ledger = store.ledger
        let replay = Task {
            try await Replayer(ledger: ledger, sink: HTTPSink(url: server.url), options: options).run(
                stop: stop)
        }
        for line in lines[100...] { _ = try await ledger.append(try decoder.decode(line)) }
        let expected = try lines.map { try decoder.decode($0).content.eventId.description }
        let deadline = ContinuousClock.now + .seconds(30)
        while Set(server.applied).count < expected.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        stop.request()
        let summary = try await replay.value
        #expect(Set(server.applied).isSuperset(of: expected))
        #expect(summary.delivered >= expected.count)
        #expect(try ledger.consumer(named: "erp-feed")?.checkpoint ?? 0 >= 300)
        try await server.stop()
    }

    @Test func theCommandFollowsAnotherProcessesAppendsAndStopsCleanlyOnSIGTERM() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let lines = WorkloadGenerator.lines(seed: 92, count: 200)
        #expect(try fixture.run("import", try fixture.write(Array(lines[..<50]), to: "a.ndjson")).status == 0)
        let server = try await DownstreamServer()
        let follower = try CommandRunner.start(
            [
                "replay", "--to", server.url, "--consumer", "erp-feed", "--follow", "--json", "--store",
                fixture.store,
            ])
        #expect(try fixture.run("import", try fixture.write(Array(lines[50...]), to: "b.ndjson")).status == 0)
        let deadline = ContinuousClock.now + .seconds(30)
        while Set(server.applied).count < 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Set(server.applied).count == 200)
        kill(follower.process.processIdentifier, SIGTERM)
        follower.process.waitUntilExit()
        #expect(follower.process.terminationStatus == 0)
        let out = String(
            decoding: follower.standardOutputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(out.contains("\"consumer\":\"erp-feed\""))
        let consumers = try fixture.run("consumers", "--json")
        #expect(consumers.stdout.contains("\"delivered\":200"))
        try await server.stop()
    }
}
