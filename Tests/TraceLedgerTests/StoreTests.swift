import Foundation
import LMDBKit
import Testing
import TraceLedger
import TraceLedgerTesting

@Suite struct StoreTests {
    @Test func openingAMissingStoreSaysHowToCreateOne() {
        let directory = TemporaryDirectory()
        let error = #expect(throws: LedgerError.self) { _ = try Ledger.open(at: directory.file("nothing")) }
        #expect(error?.kind == .notAStore)
        #expect(error?.message.contains("traceledger init") == true)
    }

    @Test func anotherLMDBEnvironmentIsNotAStore() throws {
        let directory = TemporaryDirectory()
        let environment = try Environment(path: directory.path)
        try environment.write { transaction in
            let db = try environment.openDatabase(named: "something", flags: .create, in: transaction)
            try transaction.put(in: db, key: [1], value: [1])
        }
        let error = #expect(throws: LedgerError.self) { _ = try Ledger.open(at: directory.path) }
        #expect(error?.kind == .notAStore)
        #expect(error?.message.contains("not a TraceLedger store") == true)
    }

    @Test func aFileThatIsNotLMDBIsRefused() throws {
        let directory = TemporaryDirectory()
        try Data("hello, not a database".utf8).write(to: URL(fileURLWithPath: directory.file("data.mdb")))
        let error = #expect(throws: LedgerError.self) { _ = try Ledger.open(at: directory.path) }
        #expect(error?.kind == .notAStore)
    }

    @Test func aNewerFormatIsRefusedWithAnUpgradeHint() throws {
        let store = try TemporaryStore()
        let environment = try Environment(path: store.path)
        try environment.write { transaction in
            let meta = try environment.openDatabase(named: "meta", in: transaction)
            try transaction.put(in: meta, key: Array("format".utf8), value: Array("traceledger/99".utf8))
        }
        let error = #expect(throws: LedgerError.self) { _ = try Ledger.open(at: store.path) }
        #expect(error?.message.contains("format 99, newer than this build reads") == true)
    }

    /// A store of format 3 (event ids in two trees, no log) is refused, naming `traceledger migrate`: a build of
    /// format 3 that had it open would not look for ids in the log. Migrated, its ids are found again.
    @Test func aStoreOfFormat3IsRefusedUntilMigrated() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.db")
        let line = EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload: #"{"orderId":"SO-1","amount":"23.80","currency":"EUR"}"#)
        let first: AppendOutcome
        do {  // the ledger, and its lock on the store, gone before the migration takes the lock exclusively
            let ledger = try Ledger.create(at: path)
            first = try await ledger.append(EventDecoder().decode(line))
            await ledger.close()
        }
        // What format 3 held: the entry in `event_ids_recent`, no `event_id_log`, the marker of format 3.
        do {
            let environment = try Environment(path: path)
            try environment.write { transaction in
                let meta = try environment.openDatabase(named: "meta", in: transaction)
                let log = try environment.openDatabase(named: "event_id_log", in: transaction)
                let recent = try environment.openDatabase(
                    named: "event_ids_recent", flags: [.create, .duplicateSort, .duplicateFixed],
                    in: transaction)
                try transaction.withCursor(on: log) { cursor in
                    let entry = try #require(try cursor.first())
                    try transaction.put(in: recent, key: Array(entry.value), value: Array(entry.key))
                }
                try transaction.drop(log)
                try transaction.put(in: meta, key: Array("format".utf8), value: Array("traceledger/3".utf8))
            }
        }
        let refused = #expect(throws: LedgerError.self) { _ = try Ledger.open(at: path) }
        #expect(refused?.kind == .notAStore)
        #expect(refused?.message.contains("of format 3, which this build no longer opens") == true)
        #expect(refused?.message.contains("traceledger migrate --store \(path)") == true)

        let migration = try #require(try await Ledger.migrate(at: path))
        #expect(migration.fromFormat == 3 && migration.toFormat == 4)
        #expect(migration.originalKeptAt == path + "/format-3.mdb")
        let ledger = try Ledger.open(at: path)
        let again = try await ledger.append(EventDecoder().decode(line))
        #expect(again.isDuplicate && again.position == first.position)
        #expect(try ledger.verifyIndexes().isEmpty)
        await ledger.close()
    }

    @Test func createRefusesAnExistingStoreOrAFolderWithFiles() throws {
        let store = try TemporaryStore()
        #expect(throws: LedgerError.self) { _ = try Ledger.create(at: store.path) }
        let directory = TemporaryDirectory()
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory.file("notes.txt")))
        let error = #expect(throws: LedgerError.self) { _ = try Ledger.create(at: directory.path) }
        #expect(error?.message.contains("other files") == true)
    }
}
