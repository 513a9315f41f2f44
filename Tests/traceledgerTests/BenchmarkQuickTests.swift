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

        let process = Process()
        process.executableURL = URL(fileURLWithPath: benchmark)
        process.arguments = ["--quick", "--out", results, "--directory", directory.file("stores")]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let table = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationStatus == 0, "ledger-bench --quick failed:\n\(table)")
        #expect(table.contains("all stores hold the same events"))
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
        let benchmark = URL(fileURLWithPath: CommandRunner.executable).deletingLastPathComponent()
            .appendingPathComponent("ledger-bench").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: benchmark)
        process.arguments = ["reads", "--store", fixture.store, "--repeat", "2"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        for phase in ["scan", "verify", "verify-all", "rebuild"] {
            let rates = text.split(separator: "\n").filter { $0.hasPrefix("\(phase): ") }.compactMap {
                Int($0.dropFirst(phase.count + 2).prefix { $0.isNumber })
            }
            #expect(rates.count == 2 && rates.allSatisfy { $0 > 0 }, "\(phase) in:\n\(text)")
        }
    }
}
