import Crypto
import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

/// A store written by the last build of format 1 (`Fixtures/stores/format-1`), through `traceledger migrate`:
/// what that build printed of it, this one prints of the migrated store.
@Suite struct MigrateCommandTests {
    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test func aFormatOneStoreIsRefusedUntilMigratedThenEverythingItHeldIsThere() throws {
        let fixture = CLIFixture()
        try StoreFixtures.installFormatOneStore(at: fixture.store)

        // Every command refuses it and names the command that converts it.
        for command in [
            ["stats"], ["verify"], ["events", "--limit", "1"], ["append", "-"], ["doctor"], ["compact"],
            ["backup", fixture.directory.file("backup")], ["repair-indexes"],
        ] {
            let refused = try CommandRunner.run(command + ["--store", fixture.store], stdin: "")
            #expect(refused.status == 1, "\(command)")
            #expect(
                refused.stderr.contains("is a TraceLedger store of format 1")
                    && refused.stderr.contains("traceledger migrate --store \(fixture.store)"),
                "\(refused.stderr)")
        }

        let original = try Data(contentsOf: URL(fileURLWithPath: fixture.store + "/data.mdb"))
        let migrated = try fixture.run("migrate")
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("migrated \(fixture.store) from format 1 to 4: 1,804 events"))
        #expect(
            migrated.stdout.contains(
                "unchanged: head position 1804, hash 6dd7fd9afdb887f653e0669102cc764339ff9dfa98bb948062d9c487b9721edd"
            ))
        #expect(migrated.stdout.contains("at each of 2 signed checkpoints"))
        // The original is kept, byte for byte, as another file than the new one.
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.store + "/format-1.mdb")) == original)
        let inodes = try [fixture.store + "/format-1.mdb", fixture.store + "/data.mdb"].map {
            try FileManager.default.attributesOfItem(atPath: $0)[.systemFileNumber] as? Int
        }
        #expect(inodes[0] != nil && inodes[0] != inodes[1])
        #expect(!FileManager.default.fileExists(atPath: fixture.store + "/migrating"))

        // What the format-1 build printed of the store, byte for byte.
        let events = try fixture.run("events", "--json", "--limit", "100000")
        #expect(Self.sha256(events.stdout) == (try StoreFixtures.formatOneText("events.sha256")))
        let raw = try fixture.run("show", "--raw", "1501")
        #expect(Self.sha256(raw.stdout) == (try StoreFixtures.formatOneText("raw-1501.sha256")))
        #expect(
            try fixture.run("project", "--digest", "--json").stdout.trimmingCharacters(in: .newlines)
                == (try StoreFixtures.formatOneText("projections.ndjson")))
        #expect(
            try fixture.run("consumers", "--json").stdout.trimmingCharacters(in: .newlines)
                == (try StoreFixtures.formatOneText("consumers.ndjson")))

        // The chain, every index, and both checkpoints the auditor kept.
        let verified = try fixture.run("verify")
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        for size in ["1500", "1803"] {
            let consistent = try fixture.run(
                "verify", "--checkpoint", try StoreFixtures.formatOnePath("checkpoint-\(size).txt"), "--key",
                try StoreFixtures.formatOneText("verifier.vkey"))
            #expect(consistent.status == 0, "\(consistent.stderr)")
            #expect(consistent.stdout.contains("consistent with the checkpoint"))
        }

        // The event-id index was rebuilt: an old event sent again is a duplicate, a new one is appended.
        let old = try #require(
            events.stdout.split(separator: "\n").dropFirst(40).first { $0.contains(#""domain":"order""#) })
        let eventId = try #require(old.firstMatch(of: /"eventId":"([0-9a-f-]{36})"/)?.1)
        let position = try #require(old.firstMatch(of: /"position":(\d+)/)?.1)
        let line = try #require(
            WorkloadGenerator.lines(seed: 7, count: 1500).first { $0.contains(#""eventId":"\#(eventId)""#) })
        let again = try fixture.run("append", "-", stdin: line + "\n")
        #expect(
            again.stdout.contains("already in the ledger at position \(position)"),
            "\(again.stdout)\(again.stderr)")
        let next = try fixture.run(
            "append", "-", stdin: WorkloadGenerator.lines(seed: 70, count: 1)[0] + "\n")
        #expect(next.stdout.contains("appended at position 1805"), "\(next.stdout)\(next.stderr)")
        #expect(try fixture.run("verify").status == 0)

        // Migrating again changes nothing.
        let twice = try fixture.run("migrate")
        #expect(twice.status == 0)
        #expect(twice.stdout.contains("already of the current format"))
    }

    @Test func aStoreWhoseRecordsDoNotVerifyIsLeftAsItWas() throws {
        let fixture = CLIFixture()
        try StoreFixtures.installFormatOneStore(at: fixture.store)
        // The chain head the old store kept no longer matches its last record: the copy cannot verify.
        let path = fixture.store + "/data.mdb"
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let found = try #require(data.range(of: Data([0x6d, 0xd7, 0xfd, 0x9a, 0xfd, 0xb8, 0x87, 0xf6])))
        data[found.lowerBound] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: path))
        let refused = try fixture.run("migrate")
        #expect(refused.status != 0)
        #expect(
            refused.stderr.contains("cannot be migrated: its hash chain breaks at position 1804")
                || refused.stderr.contains("cannot be migrated: its records end at position 1804"),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("Nothing changed"))
        #expect(!FileManager.default.fileExists(atPath: fixture.store + "/format-1.mdb"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == data)
        // The store is the old one, still refused with the same advice.
        #expect(try fixture.run("stats").stderr.contains("traceledger migrate"))
    }

    /// A migration killed after keeping the original under its second name, before replacing the file: the next
    /// run recognises the second name of the same file and goes on.
    @Test func aMigrationKilledBeforeTheReplacementRunsAgain() throws {
        let fixture = CLIFixture()
        try StoreFixtures.installFormatOneStore(at: fixture.store)
        try FileManager.default.linkItem(
            atPath: fixture.store + "/data.mdb", toPath: fixture.store + "/format-1.mdb")
        try FileManager.default.createDirectory(
            atPath: fixture.store + "/migrating", withIntermediateDirectories: false)
        let migrated = try fixture.run("migrate")
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(try fixture.run("verify").status == 0)
        let events = try fixture.run("events", "--json", "--limit", "100000")
        #expect(
            MigrateCommandTests.sha256(events.stdout) == (try StoreFixtures.formatOneText("events.sha256")))
    }
}
