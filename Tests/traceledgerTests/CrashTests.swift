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
        let file = try fixture.write(WorkloadGenerator.lines(seed: 41, count: count))
        let running = try CommandRunner.start(["import", file, "--batch-size", "500", "--store", fixture.store])
        // Wait until some batches are written, then kill without warning. The probe is the data file's size, not
        // `stats`: the import decodes on every core and outruns a probe that opens the store.
        let dataFile = fixture.store + "/data.mdb"
        for _ in 0..<2000 {
            try await Task.sleep(for: .milliseconds(5))
            let size = (try FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? NSNumber)?.intValue ?? 0
            if size >= 2 << 20 { break }
        }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        #expect(running.process.terminationReason == .uncaughtSignal)
        let stats = try fixture.run("stats", "--json")
        let range = try #require(stats.stdout.range(of: #""events":(\d+)"#, options: .regularExpression))
        let events = try #require(Int(stats.stdout[range].dropFirst(9)))
        #expect(events > 0, "the kill came before any batch was committed")
        #expect(events % 500 == 0, "batches are atomic: \(events) events")
        #expect(events < count, "the import finished before the kill; make the file larger")
        #expect(try fixture.run("verify").status == 0)
        let resumed = try fixture.run("import", file, "--json")
        #expect(resumed.status == 0)
        #expect(resumed.stdout.contains("\"appended\":\(count - events),\"duplicates\":\(events)"))
        #expect(try fixture.run("verify").status == 0)
    }
}
