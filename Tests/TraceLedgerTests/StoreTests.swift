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

    @Test func createRefusesAnExistingStoreOrAFolderWithFiles() throws {
        let store = try TemporaryStore()
        #expect(throws: LedgerError.self) { _ = try Ledger.create(at: store.path) }
        let directory = TemporaryDirectory()
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory.file("notes.txt")))
        let error = #expect(throws: LedgerError.self) { _ = try Ledger.create(at: directory.path) }
        #expect(error?.message.contains("other files") == true)
    }
}
