import Foundation
import LMDBKit
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

@Suite struct VerifyCommandTests {
    @Test func aTamperedRecordFailsWithExitThreeAndItsPosition() throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        _ = try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 31, count: 600)))
        let environment = try Environment(path: fixture.store)
        try environment.write { transaction in
            let events = try environment.openDatabase(named: "events", in: transaction)
            let key = withUnsafeBytes(of: UInt64(257).bigEndian) { Array($0) }
            var record = try #require(try transaction.value(in: events, key: key))
            record[record.count - 1] ^= 0x20
            try transaction.put(in: events, key: key, value: record)
        }
        let result = try fixture.run("verify")
        #expect(result.status == 3)
        #expect(result.stdout.contains("BROKEN at position 257"))
        let json = try fixture.run("verify", "--json")
        #expect(json.stdout.contains("\"intact\":false,\"position\":257"))
    }

    @Test func aDamagedIndexIsNamedByVerifyAndRebuiltByRepairIndexes() throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        _ = try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 32, count: 600)))
        let victim = try fixture.run("events", "--json", "--from", "300", "--limit", "1").stdout
        let trace = try #require(
            victim.firstRange(of: #/"traceId":"([^"]+)"/#).map { String(victim[$0].dropFirst(11).dropLast()) }
        )
        let before = try fixture.run("trace", trace, "--json").lines.count
        // Damage the trace index the way a bad page would: one position gone, one foreign entry added.
        let environment = try Environment(path: fixture.store)
        try environment.write { transaction in
            let traces = try environment.openDatabase(
                named: "traces", flags: [.duplicateSort, .duplicateFixed], in: transaction)
            let position = withUnsafeBytes(of: UInt64(300).bigEndian) { Array($0) }
            #expect(try transaction.delete(in: traces, key: Array(trace.utf8), value: position))
            let actors = try environment.openDatabase(
                named: "actors", flags: [.duplicateSort, .duplicateFixed], in: transaction)
            try transaction.put(
                in: actors, key: Array("user:nobody".utf8),
                value: withUnsafeBytes(of: UInt64(1).bigEndian) { Array($0) })
        }
        let verify = try fixture.run("verify")
        #expect(verify.status == 3)
        #expect(verify.stdout.contains("INDEX DAMAGED: traces: position 300 is missing"), "\(verify.stdout)")
        #expect(verify.stdout.contains("INDEX DAMAGED: actors: it holds 601 entries for 600 events"))
        #expect(verify.stdout.contains("traceledger repair-indexes"))
        #expect(try fixture.run("trace", trace, "--json").lines.count == before - 1)
        let repair = try fixture.run("repair-indexes")
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(repair.stdout.contains("repaired: actors, traces"))
        #expect(try fixture.run("verify").status == 0)
        #expect(try fixture.run("trace", trace, "--json").lines.count == before)
        let json = try fixture.run("verify", "--json")
        #expect(json.stdout.contains("\"damagedIndexes\":[]"))
    }

    @Test func aDamagedPageOfOneIndexNamesThatIndexAlone() throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        _ = try fixture.run("import", try fixture.write(WorkloadGenerator.lines(seed: 33, count: 3_000)))
        // The root page of `traces`, from its record in LMDB's main database (MDB_db: md_root at offset 40).
        let environment = try Environment(path: fixture.store)
        let root = try environment.read { transaction in
            let main = try environment.openDatabase(named: nil, in: transaction)
            let record = try #require(try transaction.value(in: main, key: Array("traces".utf8)))
            return record[40..<48].enumerated().reduce(UInt64(0)) {
                $0 | UInt64($1.element) << (8 * UInt64($1.offset))
            }
        }
        let data = try FileHandle(forUpdating: URL(fileURLWithPath: fixture.store + "/data.mdb"))
        try data.seek(toOffset: root * 4096)
        try data.write(contentsOf: Data(repeating: 0, count: 4096))
        try data.close()

        let verify = try fixture.run("verify")
        #expect(verify.status == 3, "\(verify.stdout) \(verify.stderr)")
        let damaged = verify.stdout.split(separator: "\n").filter { $0.hasPrefix("INDEX DAMAGED:") }
        #expect(damaged.count == 1 && damaged[0].hasPrefix("INDEX DAMAGED: traces:"), "\(verify.stdout)")
        let repair = try fixture.run("repair-indexes")
        #expect(repair.status == 0, "\(repair.stdout) \(repair.stderr)")
        #expect(try fixture.run("verify").status == 0)
    }
}
