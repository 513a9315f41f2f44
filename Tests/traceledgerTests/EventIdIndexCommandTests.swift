import Crypto
import Foundation
import LMDBKit
import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// The event-id index in two levels (`EventIdIndex`): new entries go to `event_ids_recent`, which is swept into
/// `event_ids` in slices once full. With `TRACELEDGER_EVENT_IDS_SETTLE_AT=1000` (slices of 62) and batches of 50, a
/// small import crosses several sweeps, and every id keeps naming its one event, whichever level holds it.
@Suite struct EventIdIndexCommandTests {
    let settleEvery = ["TRACELEDGER_EVENT_IDS_SETTLE_AT": "1000"]

    func run(_ fixture: CLIFixture, _ arguments: String..., stdin: String? = nil) throws -> CommandResult {
        try CommandRunner.run(arguments + ["--store", fixture.store], stdin: stdin, environment: settleEvery)
    }

    /// Entries in each level: (settled, recent).
    func entries(_ fixture: CLIFixture) throws -> (settled: Int, recent: Int) {
        try levels(fixture) { transaction, settled, recent in
            (try transaction.statistics(of: settled).entries, try transaction.statistics(of: recent).entries)
        }
    }

    /// Whether the settled level holds the id of `line` (else the recent level should).
    func isSettled(_ line: String, _ fixture: CLIFixture) throws -> Bool {
        let id = try #require(line.split(separator: "\"").dropFirst(3).first.flatMap { EventID($0) })
        let key = Array(SHA256.hash(data: id.bytes).prefix(8))
        return try levels(fixture) { transaction, settled, _ in
            try transaction.value(in: settled, key: key) != nil
        }
    }

    func levels<Result>(
        _ fixture: CLIFixture, _ body: (Transaction, Database, Database) throws -> Result
    ) throws -> Result {
        let environment = try Environment(path: fixture.store)
        return try environment.read { transaction in
            let flags: DatabaseFlags = [.duplicateSort, .duplicateFixed]
            let settled = try environment.openDatabase(named: "event_ids", flags: flags, in: transaction)
            let recent = try environment.openDatabase(
                named: "event_ids_recent", flags: flags, in: transaction)
            return try body(transaction, settled, recent)
        }
    }

    /// The event line with another origin: the same id with other content.
    func altered(_ line: String) -> String {
        line.replacingOccurrences(of: "\"origin\":\"", with: "\"origin\":\"other-")
    }

    @Test func idsInBothLevelsAreFoundAfterSettlesAndARepair() throws {
        let fixture = CLIFixture()
        let lines = WorkloadGenerator.lines(seed: 11, count: 3_500)
        _ = try fixture.run("init")
        let file = try fixture.write(lines)
        let imported = try run(fixture, "import", file, "--batch-size", "50")
        #expect(imported.status == 0, "\(imported.stderr)")
        // 70 batches: the recent level fills to 1,000 and is swept 62 entries a batch, more than once.
        let afterImport = try entries(fixture)
        #expect(afterImport.settled + afterImport.recent == 3_500)
        #expect(afterImport.settled >= 1_500 && afterImport.recent > 0, "\(afterImport)")
        let settledIndex = try #require(try lines.indices.first { try isSettled(lines[$0], fixture) })
        let recentIndex = try #require(try lines.indices.first { try !isSettled(lines[$0], fixture) })

        // Everything again: each event a duplicate of itself, from whichever level holds its id.
        let again = try run(fixture, "import", file, "--json")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("\"appended\":0,\"duplicates\":3500"), "\(again.stdout)")

        // An id of the settled level and one of the recent level, sent with other content: both refused.
        for index in [settledIndex, recentIndex] {
            let line = lines[index]
            let conflict = try run(fixture, "append", stdin: altered(line) + "\n")
            #expect(conflict.status == 4, "line \(index): \(conflict.stdout) \(conflict.stderr)")
            #expect(conflict.stderr.contains("already exists at position \(index + 1)"), "\(conflict.stderr)")
        }
        let verified = try run(fixture, "verify")
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        #expect(verified.stdout.contains("intact: 3,500 events"), "\(verified.stdout)")

        // repair-indexes rebuilds the index into the settled level alone; lookups still find every id.
        let repaired = try run(fixture, "repair-indexes")
        #expect(repaired.status == 0, "\(repaired.stderr)")
        let afterRepair = try entries(fixture)
        #expect(afterRepair.settled == 3_500 && afterRepair.recent == 0, "\(afterRepair)")
        let once = try run(fixture, "append", stdin: lines[recentIndex] + "\n")
        #expect(once.status == 0, "\(once.stderr)")
        #expect(try run(fixture, "verify").status == 0)
        #expect(try fixture.run("stats", "--json").stdout.contains("\"event_ids_recent\""))
    }

    /// An entry lost from the recent level is named by verify, as one lost from the settled level always was.
    @Test func verifyNamesAnEntryMissingFromTheRecentLevel() throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        let imported = try run(
            fixture, "import", try fixture.write(WorkloadGenerator.lines(seed: 12, count: 1_200)))
        #expect(imported.status == 0, "\(imported.stderr)")
        // The first 1,000 fill the recent level, and their transaction, having appended 1,000, sweeps all of
        // them; the last 200 wait in the recent level.
        let afterImport = try entries(fixture)
        #expect(afterImport.settled == 1_000 && afterImport.recent == 200, "\(afterImport)")
        let environment = try Environment(path: fixture.store)
        try environment.write { transaction in
            let recent = try environment.openDatabase(
                named: "event_ids_recent", flags: [.duplicateSort, .duplicateFixed], in: transaction)
            try transaction.withCursor(on: recent) { cursor in
                _ = try cursor.first()
                try cursor.deleteCurrent()
            }
        }
        let verified = try fixture.run("verify")
        #expect(verified.status == 3)
        #expect(verified.stdout.contains("INDEX DAMAGED: event_ids: position "), "\(verified.stdout)")
        #expect(try fixture.run("repair-indexes").status == 0)
        #expect(try fixture.run("verify").status == 0)
    }
}
