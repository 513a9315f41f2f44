import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

/// The crash suite: `kill -9` at seeded random instants of every long-running command, each resumed. Nothing
/// acknowledged is lost, nothing is applied twice, and the chain and every index verify after every kill.
/// The figures (kills, seeds) are in docs/operations.md, "Crash and fault tests".
@Suite(.serialized) struct KillAtRandomTests {
    /// The rounds each test runs, each with its own seed: 1 in CI; `TRACELEDGER_CRASH_ROUNDS=N` for a long run.
    static let rounds: [UInt64] = Array(
        1...UInt64(max(1, Int(ProcessInfo.processInfo.environment["TRACELEDGER_CRASH_ROUNDS"] ?? "") ?? 1)))

    /// Starts `arguments`, kills it after `delay` unless it ended first; whether the kill landed.
    static func killed(_ arguments: [String], after delay: Duration, stdin: String? = nil) throws -> Bool {
        let running = try CommandRunner.start(arguments, stdin: stdin)
        // A blocking sleep: a task's sleep can overrun by seconds while other tests hold the pool's threads.
        let (seconds, attoseconds) = delay.components
        usleep(UInt32(seconds) * 1_000_000 + UInt32(attoseconds / 1_000_000_000_000))
        let landed = running.process.isRunning
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        return landed && running.process.terminationReason == .uncaughtSignal
    }

    static func eventIds(_ fixture: CLIFixture) throws -> [String] {
        try fixture.run("events", "--json", "--limit", "1000000").lines.map { line in
            let start = line.range(of: "\"eventId\":\"")!.upperBound
            return String(line[start...].prefix(36))
        }
    }

    static func expectVerified(_ fixture: CLIFixture, _ context: String) throws {
        let verify = try fixture.run("verify")
        #expect(verify.status == 0, "\(context): \(verify.stdout) \(verify.stderr)")
    }

    @Test(arguments: rounds) func importKilledAtRandomInstantsEndsWithEveryEventOnce(round: UInt64)
        async throws
    {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let count = 30_000
        let file = try fixture.write(WorkloadGenerator.lines(seed: 71, count: count))
        var random = SplitMix64(seed: 71 &* round)
        var kills = 0
        var committed = 0
        for attempt in 1...6 {
            let delay = Duration.milliseconds(random.nextInt(in: 40...700))
            if try Self.killed(
                ["import", file, "--batch-size", "250", "--store", fixture.store], after: delay)
            {
                kills += 1
            }
            try Self.expectVerified(fixture, "after kill \(attempt)")
            let now = Self.count(try fixture.run("stats", "--json").stdout)
            #expect(now >= committed, "kill \(attempt): \(now) events, \(committed) before")
            committed = now
        }
        print("crash figures: import round \(round): \(kills) of 6 kills landed mid-import")
        #expect(kills >= 3, "only \(kills) of 6 kills landed mid-import")
        let finished = try fixture.run("import", file, "--json")
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stdout.contains("\"appended\":\(count - committed),\"duplicates\":\(committed)"))
        let ids = try Self.eventIds(fixture)
        #expect(ids.count == count && Set(ids).count == count)
        try Self.expectVerified(fixture, "at the end")
    }

    /// Three processes append atomic batches side by side while some are killed: every batch a process
    /// acknowledged (exit 0) is there, and every batch is there whole or not at all.
    @Test(arguments: rounds) func appendsFromSeveralProcessesKilledAtRandomAreAllOrNothing(round: UInt64)
        async throws
    {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let batchSize = 20
        // Real threads, not tasks: each writer blocks on its processes, and the three must run side by side.
        let outcomes = Outcomes()
        let threads = (0..<3).map { writer in
            Thread {
                defer { outcomes.done.signal() }
                var random = SplitMix64(seed: (80 + UInt64(writer)) &* round)
                let lines = WorkloadGenerator.lines(seed: 80 + UInt64(writer), count: batchSize * 12)
                for batch in 0..<12 {
                    let slice = Array(lines[batch * batchSize..<(batch + 1) * batchSize])
                    let ids = slice.map { line in
                        let start = line.range(of: "\"eventId\":\"")!.upperBound
                        return String(line[start...].prefix(36))
                    }
                    let stdin = slice.joined(separator: "\n") + "\n"
                    let arguments = ["append", "--store", fixture.store]
                    guard let running = try? CommandRunner.start(arguments, stdin: stdin) else { continue }
                    if random.chance(0.5) {
                        usleep(UInt32(random.nextInt(in: 2...60)) * 1000)
                        kill(running.process.processIdentifier, SIGKILL)
                        running.process.waitUntilExit()
                        outcomes.add(
                            ids,
                            acknowledged: running.process.terminationReason == .exit
                                && running.process.terminationStatus == 0)
                    } else {
                        running.process.waitUntilExit()
                        outcomes.add(ids, acknowledged: running.process.terminationStatus == 0)
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        for _ in threads { outcomes.done.wait() }
        let stored = Set(try Self.eventIds(fixture))
        var lost = 0
        var partial = 0
        let all = outcomes.all
        print(
            "crash figures: append round \(round): \(all.filter { !$0.acknowledged }.count) of \(all.count) appends "
                + "killed")
        for outcome in all {
            let present = outcome.ids.filter(stored.contains).count
            if outcome.acknowledged && present != batchSize { lost += 1 }
            if present != 0 && present != batchSize { partial += 1 }
        }
        #expect(lost == 0, "\(lost) acknowledged batches are missing events")
        #expect(partial == 0, "\(partial) batches are there in part")
        #expect(all.count == 36 && all.contains { !$0.acknowledged }, "no append was killed")
        #expect(
            all.filter(\.acknowledged).count >= 9, "a quarter of the appends at least should be acknowledged")
        try Self.expectVerified(fixture, "after the appends")
    }

    /// A projection rebuild killed at random instants: the store keeps serving the old state, and the next
    /// rebuild and catch-up agree with a store that was never interrupted.
    @Test(arguments: rounds) func projectionRebuildKilledAtRandomInstantsConverges(round: UInt64) async throws
    {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        #expect(
            try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 90, count: 12_000)))
                .status
                == 0)
        #expect(try fixture.run("project").status == 0)
        let clean = try Self.digests(fixture)
        // The kills land within the time an uninterrupted rebuild takes here, whatever this machine's speed, and
        // early in it: another run may be faster than the quicker of two measured ones on a busy machine.
        var whole = Int.max
        for _ in 1...2 {
            let started = ContinuousClock.now
            #expect(try fixture.run("project", "--rebuild").status == 0)
            whole = min(whole, Int((ContinuousClock.now - started) / .milliseconds(1)))
        }
        var random = SplitMix64(seed: 90 &* round)
        var kills = 0
        for attempt in 1...5 {
            if try Self.killed(
                ["project", "--rebuild", "--store", fixture.store],
                after: .milliseconds(random.nextInt(in: max(1, whole * 15 / 100)...max(2, whole * 55 / 100))))
            {
                kills += 1
            }
            #expect(
                try Self.digests(fixture) == clean, "after kill \(attempt), the state readers see changed")
        }
        print("crash figures: rebuild round \(round): \(kills) of 5 kills landed mid-rebuild")
        #expect(kills >= 3, "only \(kills) of 5 kills landed mid-rebuild")
        #expect(try fixture.run("project", "--rebuild").status == 0)
        #expect(try Self.digests(fixture) == clean)
        try Self.expectVerified(fixture, "after the rebuilds")
    }

    /// A replay killed at random instants, resumed each time: the downstream applies every event exactly
    /// once (it keys on the event id, as the replay's Idempotency-Key asks), and the checkpoint ends at the head.
    @Test(arguments: rounds) func replayKilledAtRandomInstantsDeliversEveryEventOnce(round: UInt64)
        async throws
    {
        let fixture = try ReplayCommandTests.fixture(events: 2_500, seed: 95)
        let server = try await DownstreamServer()
        var random = SplitMix64(seed: 95 &* round)
        var kills = 0
        for _ in 1...5 {
            if try Self.killed(
                [
                    "replay", "--to", server.url, "--consumer", "erp", "--rate", "3000", "--store",
                    fixture.store,
                ], after: .milliseconds(random.nextInt(in: 50...500)))
            {
                kills += 1
            }
        }
        print("crash figures: replay round \(round): \(kills) of 5 kills landed mid-replay")
        #expect(kills >= 3, "only \(kills) of 5 kills landed mid-replay")
        let finished = try fixture.run("replay", "--to", server.url, "--consumer", "erp")
        #expect(finished.status == 0, "\(finished.stderr)")
        let expected = try ReplayCommandTests.deliverable(fixture)
        #expect(server.applied.count == expected.count)
        #expect(Set(server.applied) == Set(expected), "an event was lost")
        let resent = server.requests.count - server.applied.count
        print(
            "crash figures: replay round \(round): \(resent) deliveries re-sent after the kills, 0 applied twice"
        )
        #expect(resent <= kills * 1_000, "\(resent) re-sent: more than the windows in flight at the kills")
        try Self.expectVerified(fixture, "after the replays")
        try await server.stop()
    }

    /// Each projection's checkpoint, counts and state digest, without the generation a rebuild changes.
    static func digests(_ fixture: CLIFixture) throws -> [String] {
        try fixture.run("project", "--digest", "--json").lines.map {
            $0.replacingOccurrences(of: #""generation":\d+,"#, with: "", options: .regularExpression)
        }
    }

    static func count(_ statsJSON: String) -> Int {
        guard let range = statsJSON.range(of: #""events":(\d+)"#, options: .regularExpression) else {
            return 0
        }
        return Int(statsJSON[range].dropFirst(9)) ?? 0
    }
}

/// What the writer threads of a test did: each batch's ids and whether its append was acknowledged.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [(ids: [String], acknowledged: Bool)] = []
    let done = DispatchSemaphore(value: 0)

    func add(_ ids: [String], acknowledged: Bool) { lock.withLock { outcomes.append((ids, acknowledged)) } }
    var all: [(ids: [String], acknowledged: Bool)] { lock.withLock { outcomes } }
}
