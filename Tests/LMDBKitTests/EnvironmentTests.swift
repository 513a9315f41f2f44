import Foundation
import LMDBKit
import Testing

/// A fresh LMDB environment in a temporary directory.
func withEnvironment(_ body: (Environment) throws -> Void) throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lmdbkit-\(UUID().uuidString)")
        .path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    try body(try Environment(path: path))
}

@Suite struct EnvironmentTests {
    @Test func committedWritesAreVisibleToLaterReads() throws {
        try withEnvironment { env in
            let db = try env.write { try env.openDatabase(named: "kv", flags: .create, in: $0) }
            try env.write { try $0.put(in: db, key: Array("a".utf8), value: Array("1".utf8)) }
            let value = try env.read { try $0.value(in: db, key: Array("a".utf8)) }
            #expect(value == Array("1".utf8))
        }
    }

    @Test func aThrowingWriteLeavesNothingBehind() throws {
        struct Abort: Error {}
        try withEnvironment { env in
            let db = try env.write { try env.openDatabase(named: "kv", flags: .create, in: $0) }
            #expect(throws: Abort.self) {
                try env.write { txn in
                    try txn.put(in: db, key: Array("a".utf8), value: Array("1".utf8))
                    throw Abort()
                }
            }
            #expect(try env.read { try $0.value(in: db, key: Array("a".utf8)) } == nil)
        }
    }

    @Test func noOverwriteReportsKeyExists() throws {
        try withEnvironment { env in
            let db = try env.write { try env.openDatabase(named: "kv", flags: .create, in: $0) }
            try env.write { try $0.put(in: db, key: [1], value: [1], flags: .noOverwrite) }
            do {
                try env.write { try $0.put(in: db, key: [1], value: [2], flags: .noOverwrite) }
                Issue.record("a second put with noOverwrite succeeded")
            } catch let error as LMDBError {
                #expect(error.code == LMDBError.keyExists)
                #expect(error.description.contains("writing a key"))
            }
        }
    }

    @Test func nestedTransactionAbortKeepsTheParent() throws {
        struct Abort: Error {}
        try withEnvironment { env in
            let db = try env.write { try env.openDatabase(named: "kv", flags: .create, in: $0) }
            try env.write { txn in
                try txn.put(in: db, key: [1], value: [1])
                #expect(throws: Abort.self) {
                    try txn.nested { child in
                        try child.put(in: db, key: [2], value: [2])
                        throw Abort()
                    }
                }
            }
            let values = try env.read { txn in
                (try txn.value(in: db, key: [1]), try txn.value(in: db, key: [2]))
            }
            #expect(values.0 == [1])
            #expect(values.1 == nil)
        }
    }

    @Test func openingAMissingDirectoryFailsWithAClearError() {
        do {
            _ = try Environment(path: "/nonexistent/\(UUID().uuidString)")
            Issue.record("opened an environment in a missing directory")
        } catch {
            #expect(error.description.contains("opening environment at /nonexistent/"))
        }
    }
}
