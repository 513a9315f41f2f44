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
}
