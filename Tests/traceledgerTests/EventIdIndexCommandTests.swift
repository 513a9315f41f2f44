import Crypto
import Foundation
import LMDBKit
import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// The event-id index as a log and a settled tree (`EventIdIndex`): new entries go to `event_id_log` (position →
/// key), and each generation of `TRACELEDGER_EVENT_IDS_SETTLE_AT` entries up to a committed head is sorted and
/// swept into `event_ids` in slices. With a generation of 1,000 (slices of 62) and batches of 50, a small import
/// crosses a sweep, and every id keeps naming its one event, whichever part holds it.
@Suite struct EventIdIndexCommandTests {
    let settleEvery = ["TRACELEDGER_EVENT_IDS_SETTLE_AT": "1000"]

    func run(_ fixture: CLIFixture, _ arguments: String..., stdin: String? = nil) throws -> CommandResult {
        try CommandRunner.run(arguments + ["--store", fixture.store], stdin: stdin, environment: settleEvery)
    }

    /// Entries in each part: (settled, log).
    func entries(_ fixture: CLIFixture) throws -> (settled: Int, log: Int) {
        try parts(fixture) { transaction, settled, log in
            (try transaction.statistics(of: settled).entries, try transaction.statistics(of: log).entries)
        }
    }

    /// The `event_ids` key of the event on `line`.
    func key(_ line: String) throws -> [UInt8] {
        let id = try #require(line.split(separator: "\"").dropFirst(3).first.flatMap { EventID($0) })
        return Array(SHA256.hash(data: id.bytes).prefix(8))
    }

    /// Whether `event_ids` holds the id of `line` (else the log should).
    func isSettled(_ line: String, _ fixture: CLIFixture) throws -> Bool {
        let key = try key(line)
        return try parts(fixture) { transaction, settled, _ in
            try transaction.value(in: settled, key: key) != nil
        }
    }

    func parts<Result>(
        _ fixture: CLIFixture, _ body: (Transaction, Database, Database) throws -> Result
    ) throws -> Result {
        let environment = try Environment(path: fixture.store)
        return try environment.read { transaction in
            let settled = try environment.openDatabase(
                named: "event_ids", flags: [.duplicateSort, .duplicateFixed], in: transaction)
            let log = try environment.openDatabase(named: "event_id_log", in: transaction)
            return try body(transaction, settled, log)
        }
    }

    /// The event line with another origin: the same id with other content.
    func altered(_ line: String) -> String {
        line.replacingOccurrences(of: "\"origin\":\"", with: "\"origin\":\"other-")
    }

    @Test func idsInBothPartsAreFoundAfterASweepAndARepair() throws {
        let fixture = CLIFixture()
        let lines = WorkloadGenerator.lines(seed: 11, count: 3_500)
        _ = try fixture.run("init")
        let file = try fixture.write(lines)
        // The first 1,200 in one transaction: a sweep begins only at a committed head, so none yet.
        let first = try run(fixture, "import", try fixture.write(Array(lines[..<1_200]), to: "first.ndjson"))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try entries(fixture) == (settled: 0, log: 1_200))
        // The whole file: the 1,200 are duplicates, and the transaction that appends the rest sweeps them.
        let imported = try run(fixture, "import", file, "--batch-size", "50")
        #expect(imported.status == 0, "\(imported.stderr)")
        let afterImport = try entries(fixture)
        #expect(afterImport.settled >= 1_000 && afterImport.log > 0, "\(afterImport)")
        #expect(afterImport.settled + afterImport.log >= 3_500, "\(afterImport)")
        let settledIndex = try #require(try lines.indices.first { try isSettled(lines[$0], fixture) })
        let loggedIndex = try #require(try lines.indices.first { try !isSettled(lines[$0], fixture) })

        // Everything again: each event a duplicate of itself, from whichever part holds its id.
        let again = try run(fixture, "import", file, "--json")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("\"appended\":0,\"duplicates\":3500"), "\(again.stdout)")

        // An id of `event_ids` and one of the log, sent with other content: both refused.
        for index in [settledIndex, loggedIndex] {
            let line = lines[index]
            let conflict = try run(fixture, "append", stdin: altered(line) + "\n")
            #expect(conflict.status == 4, "line \(index): \(conflict.stdout) \(conflict.stderr)")
            #expect(conflict.stderr.contains("already exists at position \(index + 1)"), "\(conflict.stderr)")
        }
        let verified = try run(fixture, "verify")
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        #expect(verified.stdout.contains("intact: 3,500 events"), "\(verified.stdout)")

        // repair-indexes rebuilds the index into `event_ids` alone; lookups still find every id.
        let repaired = try run(fixture, "repair-indexes")
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(try entries(fixture) == (settled: 3_500, log: 0))
        let once = try run(fixture, "append", stdin: lines[loggedIndex] + "\n")
        #expect(once.status == 0, "\(once.stderr)")
        #expect(try run(fixture, "verify").status == 0)
        #expect(try fixture.run("stats", "--json").stdout.contains("\"event_id_log\""))
    }

    /// An entry lost from the log is named by verify, as one lost from `event_ids` always was; a lookup that
    /// needs the log says it is damaged and how to repair it.
    @Test func verifyNamesAnEntryMissingFromTheLog() throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        let lines = WorkloadGenerator.lines(seed: 12, count: 1_201)
        let imported = try run(fixture, "import", try fixture.write(Array(lines[..<1_200])))
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try entries(fixture) == (settled: 0, log: 1_200))
        let environment = try Environment(path: fixture.store)
        try environment.write { transaction in
            let log = try environment.openDatabase(named: "event_id_log", in: transaction)
            #expect(
                try transaction.delete(in: log, key: withUnsafeBytes(of: UInt64(600).bigEndian) { Array($0) })
            )
        }
        let verified = try fixture.run("verify")
        #expect(verified.status == 3)
        #expect(
            verified.stdout.contains("INDEX DAMAGED: event_ids: position 600 is missing under event "),
            "\(verified.stdout)")
        let append = try run(fixture, "append", stdin: lines[1_200] + "\n")
        #expect(append.status != 0)
        #expect(append.stderr.contains("the event-id log is damaged"), "\(append.stderr)")
        #expect(append.stderr.contains("traceledger repair-indexes"), "\(append.stderr)")
        #expect(try fixture.run("repair-indexes").status == 0)
        #expect(try fixture.run("verify").status == 0)
        #expect(try run(fixture, "append", stdin: lines[1_200] + "\n").status == 0)
    }

    /// A sweep that spans many transactions: with a generation of 160 (slices of 10), appends of 2 events each
    /// move 12 entries a transaction, going on from the count in `meta`. Every entry of the generation must be
    /// in `event_ids` when it ends, and the log must then start after it.
    @Test func aSweepResumedOverManyTransactionsSettlesEveryEntryOfItsGeneration() throws {
        let fixture = CLIFixture()
        let environment = ["TRACELEDGER_EVENT_IDS_SETTLE_AT": "160"]
        let lines = WorkloadGenerator.lines(seed: 13, count: 300)
        _ = try fixture.run("init")
        let imported = try CommandRunner.run(
            ["import", try fixture.write(Array(lines[..<160])), "--store", fixture.store],
            environment: environment)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try entries(fixture) == (settled: 0, log: 160))
        func append(_ index: Int) throws {
            let result = try CommandRunner.run(
                ["append", "--store", fixture.store], stdin: lines[index] + "\n" + lines[index + 1] + "\n",
                environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let generation = try logEntries(fixture)
        try append(160)  // the committed head holds 160: the sweep begins, 12 move
        #expect(try entries(fixture) == (settled: 12, log: 162))
        #expect(try isSweeping(fixture))
        var next = 162
        while try isSweeping(fixture) {
            try #require(next + 1 < lines.count, "the sweep did not end")
            try append(next)
            next += 2
        }
        #expect(next > 172, "the sweep ended after \(next) events: it did not span many transactions")
        #expect(
            generation.isSubset(of: try settledEntries(fixture)), "entries of the generation are not settled")
        #expect(try entries(fixture) == (settled: 160, log: next - 160))
        #expect(
            try logEntries(fixture).allSatisfy {
                $0.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } > 160
            })
        let verified = try fixture.run("verify")
        #expect(verified.status == 0, "\(verified.stdout)")
        let again = try CommandRunner.run(
            [
                "import", try fixture.write(Array(lines[..<next]), to: "again.ndjson"), "--store",
                fixture.store, "--json",
            ])
        #expect(again.stdout.contains("\"appended\":0,\"duplicates\":\(next)"), "\(again.stdout)")
    }

    /// Memory is a cache of the log, so a process whose memory is behind still finds every id: one process
    /// (this one) holds the store open and looks ids up while another sweeps a whole generation out of the log.
    @Test func aProcessFindsIdsAnotherProcessSweptOutOfTheLog() async throws {
        let fixture = CLIFixture()
        _ = try fixture.run("init")
        let lines = WorkloadGenerator.lines(seed: 14, count: 700)
        let events = try lines.map { try EventDecoder().decode($0) }
        let ledger = try Ledger.open(at: fixture.store)
        _ = try await ledger.append(Array(events[..<100]))
        #expect(try ledger.event(withId: events[50].content.eventId)?.position == 51)
        // Other processes append 500 more, 50 a transaction, with generations of 160 (60 moved a transaction):
        // positions 1-200 and 201-400 are swept out of the log while this one's memory holds 1-100.
        for start in stride(from: 100, to: 600, by: 50) {
            let other = try CommandRunner.run(
                ["append", "--store", fixture.store],
                stdin: lines[start..<start + 50].joined(separator: "\n") + "\n",
                environment: ["TRACELEDGER_EVENT_IDS_SETTLE_AT": "160"])
            #expect(other.status == 0, "\(other.stderr)")
        }
        #expect(try entries(fixture) == (settled: 400, log: 200))
        for index in [0, 99, 100, 250, 599] {
            #expect(try ledger.event(withId: events[index].content.eventId)?.position == UInt64(index + 1))
        }
        let again = try await ledger.append(Array(events[..<600]))
        #expect(again.filter { !$0.isDuplicate }.isEmpty)
        let more = try await ledger.append(Array(events[600...]))
        #expect(more.map(\.position) == Array(601...700))
        #expect(try ledger.verifyIndexes().isEmpty)
        await ledger.close()
    }

    /// Every entry of `event_ids`, as key ‖ position.
    func settledEntries(_ fixture: CLIFixture) throws -> Set<[UInt8]> {
        try entrySet(fixture, of: { settled, _ in settled }) { key, value in key + value }
    }

    /// Every entry of the log, as key ‖ position (the log's value ‖ its key).
    func logEntries(_ fixture: CLIFixture) throws -> Set<[UInt8]> {
        try entrySet(fixture, of: { _, log in log }) { key, value in value + key }
    }

    /// Every entry of one part, each made into bytes by `entry` from its key and value.
    func entrySet(
        _ fixture: CLIFixture, of part: (_ settled: Database, _ log: Database) -> Database,
        _ entry: ([UInt8], [UInt8]) -> [UInt8]
    ) throws -> Set<[UInt8]> {
        try parts(fixture) { transaction, settled, log in
            var entries = Set<[UInt8]>()
            try transaction.withCursor(on: part(settled, log)) { cursor in
                var current = try cursor.first()
                while let found = current {
                    entries.insert(entry(Array(found.key), Array(found.value)))
                    current = try cursor.next()
                }
            }
            return entries
        }
    }

    /// Whether a sweep of the log is under way (`meta` holds where it got to).
    func isSweeping(_ fixture: CLIFixture) throws -> Bool {
        let environment = try Environment(path: fixture.store)
        return try environment.read { transaction in
            let meta = try environment.openDatabase(named: "meta", in: transaction)
            return try transaction.value(in: meta, key: Array("event_ids.settling".utf8)) != nil
        }
    }
}
