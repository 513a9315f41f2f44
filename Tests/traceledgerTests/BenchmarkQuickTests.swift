import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

/// `ledger-bench --quick` keeps working: it loads 10,000 events into TraceLedger, raw LMDB and SQLite and
/// checks they hold the same events. No time is asserted: CI machines vary.
@Suite("ledger-bench --quick")
struct BenchmarkQuickTests {
    @Test("the three stores hold the same events and every figure is reported")
    func quickRun() throws {
        let directory = TemporaryDirectory("bench")
        let results = directory.file("results.json")
        let benchmark = URL(fileURLWithPath: CommandRunner.executable).deletingLastPathComponent()
            .appendingPathComponent("ledger-bench").path
        try #require(
            FileManager.default.isExecutableFile(atPath: benchmark),
            "ledger-bench is not built: run swift build")

        let run = try Self.bench(["--quick", "--out", results, "--directory", directory.file("stores")])
        #expect(run.status == 0, "ledger-bench --quick failed:\n\(run.output)")
        #expect(run.output.contains("all stores hold the same events"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: results)))
        let root = try #require(json as? [String: Any])
        #expect(root["consistent"] as? Bool == true)
        #expect(root["events"] as? Int == 10_000)
        let stores = try #require(root["stores"] as? [String: [String: Any]])
        #expect(Set(stores.keys) == ["TraceLedger", "raw LMDB", "SQLite"])
        for (name, figures) in stores {
            for measure in [
                "appendBatch1000EventsPerSecond", "appendBatch10000EventsPerSecond",
                "appendBatch1EventsPerSecond",
                "traceLookupP99Microseconds", "historyLookupP99Microseconds", "scanEventsPerSecond",
                "bytesPerEvent",
            ] {
                #expect((figures[measure] as? Double ?? 0) > 0, "\(name) lacks \(measure)")
            }
        }
        let ledger = try #require(root["ledger"] as? [String: Any])
        #expect((ledger["importPeakRSSBytes"] as? Int ?? 0) > 0)
        for measure in [
            "verifyEventsPerSecond", "verifyWithIndexesEventsPerSecond", "replayToFileEventsPerSecond",
            "scanToFileEventsPerSecond",
            "projectionRebuildEventsPerSecond", "importEventsPerSecond", "concurrent64EventsPerSecond",
            "consoleTracePageP50Milliseconds", "replicaApplyEventsPerSecond", "replicaLagP50Milliseconds",
        ] {
            #expect((ledger[measure] as? Double ?? 0) > 0, "TraceLedger lacks \(measure)")
        }
    }

    @Test("ledger-bench reads measures each read path of an existing store")
    func readsOnAStore() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        #expect(
            try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 5, count: 2_000)))
                .status == 0)
        let run = try Self.bench(["reads", "--store", fixture.store, "--repeat", "2"])
        #expect(run.status == 0, "\(run.output)")
        let text = run.output
        for phase in ["scan", "verify", "verify-all", "rebuild"] {
            let rates = text.split(separator: "\n").filter { $0.hasPrefix("\(phase): ") }.compactMap {
                Int($0.dropFirst(phase.count + 2).prefix { $0.isNumber })
            }
            #expect(rates.count == 2 && rates.allSatisfy { $0 > 0 }, "\(phase) in:\n\(text)")
        }
    }

    @Test("ledger-bench reads --only lookups compares the store with a raw LMDB store of the same events")
    func lookupsAgainstTheFloor() throws {
        let fixture = CLIFixture()
        let workload = try fixture.write(WorkloadGenerator.lines(seed: 6, count: 1_500))
        #expect(try fixture.run("init").status == 0)
        #expect(try fixture.run("import", workload).status == 0)
        let raw = fixture.directory.file("raw")
        let withoutWorkload = try Self.bench([
            "reads", "--store", fixture.store, "--only", "lookups", "--raw-store", raw,
        ])
        #expect(withoutWorkload.status != 0)
        #expect(withoutWorkload.output.contains("give --workload"), "\(withoutWorkload.output)")

        let run = try Self.bench([
            "reads", "--store", fixture.store, "--only", "lookups", "--raw-store", raw, "--workload",
            workload,
            "--repeat", "2",
        ])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n").filter {
            $0.hasPrefix("lookups: TraceLedger: trace p50 ")
        }
        // Both rounds looked up the same traces in both stores and scanned both: the answers and scan digests agreed.
        #expect(lines.count == 2, "\(run.output)")
        #expect(
            lines.allSatisfy { $0.contains("× raw LMDB") && $0.contains("raw LMDB: trace p50 ") },
            "\(run.output)")
    }

    /// Runs ledger-bench with `arguments`; its exit status and what it printed on both streams.
    private static func bench(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ChildProcess.run(
            URL(fileURLWithPath: CommandRunner.executable).deletingLastPathComponent()
                .appendingPathComponent("ledger-bench").path, arguments)
    }
}
