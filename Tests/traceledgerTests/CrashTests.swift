import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

@Suite struct CrashTests {
    /// kill -9 in the middle of an import: every committed batch is intact, the chain verifies, and importing
    /// again completes the store with nothing twice.
    @Test func killDuringImportLosesNoCommittedBatch() async throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        let count = 60_000
        let lines = WorkloadGenerator.lines(seed: 41, count: count)
        let file = try fixture.write(lines)
        // The import reads standard input, which gets only the first half of the file and stays open: the import
        // cannot finish, however fast it is, so the kill always lands mid-import.
        let running = try CommandRunner.start(
            ["import", "-", "--batch-size", "500", "--store", fixture.store], keepStandardInputOpen: true)
        let input = try #require(running.standardInputPipe).fileHandleForWriting
        try input.write(contentsOf: Data((lines.prefix(count / 2).joined(separator: "\n") + "\n").utf8))
        // Wait until some batches are committed, then kill without warning.
        var committed = 0
        for _ in 0..<400 {
            try await Task.sleep(for: .milliseconds(25))
            let stats = try fixture.run("stats", "--json")
            if let range = stats.stdout.range(of: #""events":(\d+)"#, options: .regularExpression) {
                committed = Int(stats.stdout[range].dropFirst(9)) ?? 0
            }
            if committed >= 1000 { break }
        }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        try input.close()
        #expect(running.process.terminationReason == .uncaughtSignal)
        let stats = try fixture.run("stats", "--json")
        let range = try #require(stats.stdout.range(of: #""events":(\d+)"#, options: .regularExpression))
        let events = try #require(Int(stats.stdout[range].dropFirst(9)))
        #expect(events >= committed && committed >= 1000)
        #expect(events % 500 == 0, "batches are atomic: \(events) events")
        #expect(events < count, "the import finished before the kill; make the file larger")
        #expect(try fixture.run("verify").status == 0)
        let resumed = try fixture.run("import", file, "--json")
        #expect(resumed.status == 0)
        #expect(resumed.stdout.contains("\"appended\":\(count - events),\"duplicates\":\(events)"))
        #expect(try fixture.run("verify").status == 0)
    }
}
