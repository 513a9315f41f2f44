import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

@Suite struct ImportCommandTests {
    @Test func importsAFileAndReimportingAppendsNothing() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let file = try fixture.write(WorkloadGenerator.lines(seed: 11, count: 2500))
        let first = try fixture.run("import", file, "--json")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\"appended\":2500"))
        #expect(first.stdout.contains("\"rejected\":0"))
        let second = try fixture.run("import", file, "--json")
        #expect(second.status == 0)
        #expect(second.stdout.contains("\"appended\":0,\"duplicates\":2500"))
        let stats = try fixture.run("stats", "--json")
        #expect(stats.stdout.contains("\"events\":2500"))
    }

    /// An import that brings the store to 1,000 events in its last commit trains the zstd dictionary before the
    /// command exits (the writer trains after a commit; a process that exited at once never got one).
    @Test func anImportReachingTheThresholdTrainsTheDictionary() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let imported = try fixture.run(
            "import", try fixture.write(WorkloadGenerator.lines(seed: 14, count: 1_000)))
        #expect(imported.status == 0, "\(imported.stderr)")
        let stats = try fixture.run("stats", "--json").stdout
        #expect(stats.contains("\"events\":1000") && stats.contains("\"dictionaries\":1"), "\(stats)")
    }

    @Test func rejectedLinesAreReportedWithNumbersAndExitFour() throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        var lines = WorkloadGenerator.lines(seed: 12, count: 30)
        lines[4] = #"{"traceId":"t","domain":"order"#
        lines[9] = lines[9].replacingOccurrences(of: "\"traceId\":\"", with: "\"traceId\":\"bad trace ")
        let file = try fixture.write(lines)
        let result = try fixture.run("import", file)
        #expect(result.status == 4)
        #expect(result.stderr.contains("rejected: line 5: malformed JSON"))
        #expect(result.stderr.contains("rejected: line 10: traceId:"))
        #expect(result.stdout.contains("imported 28 events"))
    }

    @Test func strictImportsAllOrNothing() throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        var lines = WorkloadGenerator.lines(seed: 13, count: 50)
        lines[49] = "not json"
        let result = try fixture.run("import", try fixture.write(lines), "--strict")
        #expect(result.status == 4)
        #expect(result.stderr.contains("line 50"))
        #expect(try fixture.run("stats", "--json").stdout.contains("\"events\":0"))
    }

    @Test func appendIsAtomicAndPrintsPositions() throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        let good = EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload: #"{"orderId":"SO-1","amount":"1.00","currency":"EUR"}"#)
        let bad = EventLine.make(type: "payment.captured", entityId: "pi_2", payload: #"{"orderId":"SO-2"}"#)
        let rejected = try fixture.run("append", "-", stdin: good + "\n" + bad + "\n")
        #expect(rejected.status == 4)
        #expect(rejected.stderr.contains("line 2: payload.amount: missing required field"))
        #expect(rejected.stderr.contains("nothing was appended"))
        let accepted = try fixture.run("append", "--json", stdin: good + "\n")
        #expect(accepted.status == 0)
        #expect(accepted.stdout.contains("\"position\":1,\"streamVersion\":1,\"duplicate\":false"))
    }
}
