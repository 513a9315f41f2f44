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
        // One transaction of 70 batches: each time the recent level reaches 1,000 it is swept whole.
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
        // The first 1,000 fill the recent level, and their transaction, which appended 1,000, sweeps them all;
        // the last 200 wait in the recent level.
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

    /// A sweep that spans many transactions: with `TRACELEDGER_EVENT_IDS_SETTLE_AT=160` (slices of 10), appends
    /// of 2 events each move 12 entries a transaction, resuming where the last stopped. Every entry present
    /// when the sweep began must be settled when it ends: one it skipped would stay in the recent level.
    @Test func aSweepResumedOverManyTransactionsSettlesEveryEntryItPasses() throws {
        let fixture = CLIFixture()
        let environment = ["TRACELEDGER_EVENT_IDS_SETTLE_AT": "160"]
        let lines = WorkloadGenerator.lines(seed: 13, count: 300)
        _ = try fixture.run("init")
        let imported = try CommandRunner.run(
            ["import", try fixture.write(Array(lines[..<158])), "--store", fixture.store],
            environment: environment)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try entries(fixture) == (settled: 0, recent: 158))
        func append(_ index: Int) throws {
            let result = try CommandRunner.run(
                ["append", "--store", fixture.store], stdin: lines[index] + "\n" + lines[index + 1] + "\n",
                environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try append(158)  // 160 entries: the sweep begins, 12 move
        #expect(try entries(fixture) == (settled: 12, recent: 148))
        #expect(try isSweeping(fixture))
        let recentAtStart = try entrySet(fixture, settled: false)
        var next = 160
        while try isSweeping(fixture) {
            try #require(next + 1 < lines.count, "the sweep did not end")
            try append(next)
            next += 2
        }
        #expect(next > 170, "the sweep ended after \(next) events: it did not span many transactions")
        #expect(
            recentAtStart.isSubset(of: try entrySet(fixture, settled: true)),
            "entries the sweep passed are still recent")
        let atEnd = try entries(fixture)
        #expect(atEnd.settled + atEnd.recent == next)
        let verified = try fixture.run("verify")
        #expect(verified.status == 0, "\(verified.stdout)")
        let again = try CommandRunner.run(
            [
                "import", try fixture.write(Array(lines[..<next]), to: "again.ndjson"), "--store",
                fixture.store, "--json",
            ])
        #expect(again.stdout.contains("\"appended\":0,\"duplicates\":\(next)"), "\(again.stdout)")
    }

    /// Every entry (key and position) of one level.
    func entrySet(_ fixture: CLIFixture, settled: Bool) throws -> Set<[UInt8]> {
        try levels(fixture) { transaction, settledLevel, recentLevel in
            var entries = Set<[UInt8]>()
            try transaction.withCursor(on: settled ? settledLevel : recentLevel) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    entries.insert(Array(current.key) + Array(current.value))
                    entry = try cursor.next()
                }
            }
            return entries
        }
    }

    /// Whether a sweep of the recent level is under way (`meta` holds where it got to).
    func isSweeping(_ fixture: CLIFixture) throws -> Bool {
        let environment = try Environment(path: fixture.store)
        return try environment.read { transaction in
            let meta = try environment.openDatabase(named: "meta", in: transaction)
            return try transaction.value(in: meta, key: Array("event_ids.settling".utf8)) != nil
        }
    }
}
