import Foundation
import Testing
import TraceLedger
import TraceLedgerSinks
import TraceLedgerTesting
import TraceLedgerWorkload

/// Replays to a real nats-server with JetStream, started by the test.
@Suite(.serialized) struct NATSReplayTests {
    @Test func publishesEveryEventOnceAndJetStreamDropsRedeliveries() async throws {
        let server = try NATSServer()
        try server.createStream(named: "LEDGER", subject: "ledger.events")
        let store = try await ReplayTests.store(events: WorkloadGenerator.lines(seed: 71, count: 800))
        let expected = try store.ledger.events(matching: EventQuery()).filter { $0.domain != .ledger }.count
        let sink = try NATSSink(url: server.url + "/ledger.events")
        let summary = try await Replayer(ledger: store.ledger, sink: sink, options: ReplayTests.options())
            .run()
        #expect(summary.delivered == expected)
        #expect(try server.messageCount(stream: "LEDGER") == UInt64(expected))
        // Replaying everything again within the duplicate window: Nats-Msg-Id = event id, so nothing is stored twice.
        var again = ReplayTests.options()
        again.restart = true
        let second = try await Replayer(ledger: store.ledger, sink: sink, options: again).run()
        #expect(second.delivered == expected)
        #expect(try server.messageCount(stream: "LEDGER") == UInt64(expected))
        server.stop()
    }

    @Test func aServerRestartMidReplayIsRetriedAndLosesNothing() async throws {
        let server = try NATSServer()
        try server.createStream(named: "FEED", subject: "erp.feed")
        let store = try await ReplayTests.store(events: WorkloadGenerator.lines(seed: 72, count: 1500))
        let expected = try store.ledger.events(matching: EventQuery()).filter { $0.domain != .ledger }.count
        let sink = try NATSSink(url: server.url + "/erp.feed", acknowledgementWait: .seconds(1))
        var options = ReplayTests.options()
        // The limiter lets a second's worth through at once: 500/s leaves most of the 1,500 for after the restart.
        options.rate = 500
        options.maximumAttempts = 30
        options.retry = RetryPolicy(base: .milliseconds(100), cap: .milliseconds(500))
        let replay = Task { try await Replayer(ledger: store.ledger, sink: sink, options: options).run() }
        try await Task.sleep(for: .milliseconds(300))
        let storedBeforeRestart = try server.messageCount(stream: "FEED")
        server.stop()
        // Down for longer than the acknowledgement wait, so publishes in flight time out and are retried.
        try await Task.sleep(for: .milliseconds(1500))
        try server.start()
        let summary = try await replay.value
        #expect(storedBeforeRestart < UInt64(expected), "the replay finished before the restart")
        #expect(summary.deadLettered == 0)
        #expect(summary.delivered == expected)
        #expect(summary.retried > 0)
        #expect(try server.messageCount(stream: "FEED") == UInt64(expected))
        server.stop()
    }
}
