import Foundation
import LMDBKit
import Testing
import TraceLedger
import TraceLedgerTesting

/// verify against stores altered through LMDB directly, outside the engine, as an attacker or a bad disk would.
@Suite struct VerifyTests {
    static func filledStore(events: Int = 1500) async throws -> TemporaryStore {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let batch = try (0..<events).map { index in
            try decoder.decode(
                EventLine.make(
                    type: "payment.captured", entityId: "pi_\(index % 97)",
                    payload: #"{"orderId":"SO-\#(index)","amount":"\#(index).50","currency":"EUR"}"#,
                    traceId: "trace-\(index / 8)"))
        }
        for start in stride(from: 0, to: events, by: 500) {
            _ = try await store.ledger.append(Array(batch[start..<min(events, start + 500)]))
        }
        return store
    }

    /// Changes the raw record at `position` in the store's `events` database with `change`.
    static func alter(_ path: String, position: UInt64, _ change: (inout [UInt8]) -> Void) throws {
        let environment = try Environment(path: path)
        try environment.write { transaction in
            let events = try environment.openDatabase(named: "events", in: transaction)
            let key = withUnsafeBytes(of: position.bigEndian) { Array($0) }
            var record = try #require(try transaction.value(in: events, key: key))
            change(&record)
            try transaction.put(in: events, key: key, value: record)
        }
    }

    @Test func anIntactStoreVerifiesToItsHead() async throws {
        let store = try await Self.filledStore()
        let head = try store.ledger.head()
        #expect(head.position == 1500)
        #expect(try store.ledger.verify() == .intact(head: head))
    }

    @Test(arguments: [1, 2, 700, 1499, 1500] as [UInt64])
    func oneChangedByteIsFoundAtItsPosition(position: UInt64) async throws {
        let store = try await Self.filledStore()
        try Self.alter(store.path, position: position) { $0[$0.count - 3] ^= 0x01 }
        guard case .broken(let found, _) = try Ledger.open(at: store.path).verify() else {
            Issue.record("a changed byte went unnoticed")
            return
        }
        #expect(found == position)
    }

    @Test func aChangedStoredHashOrTimeIsFound() async throws {
        let store = try await Self.filledStore()
        try Self.alter(store.path, position: 321) { $0[20] ^= 0x80 }  // inside the hash
        #expect(try Ledger.open(at: store.path).verify().brokenPosition == 321)
        let other = try await Self.filledStore()
        try Self.alter(other.path, position: 99) { $0[13] ^= 0x01 }  // recordedAt
        #expect(try Ledger.open(at: other.path).verify().brokenPosition == 99)
    }

    @Test func aRemovedRecordIsFound() async throws {
        let store = try await Self.filledStore()
        let environment = try Environment(path: store.path)
        try environment.write { transaction in
            let events = try environment.openDatabase(named: "events", in: transaction)
            try transaction.delete(in: events, key: withUnsafeBytes(of: UInt64(42).bigEndian) { Array($0) })
        }
        #expect(try Ledger.open(at: store.path).verify().brokenPosition == 42)
    }

    @Test func aTruncatedTailIsFound() async throws {
        let store = try await Self.filledStore()
        let environment = try Environment(path: store.path)
        try environment.write { transaction in
            let events = try environment.openDatabase(named: "events", in: transaction)
            for position in 1498...1500 as ClosedRange<UInt64> {
                try transaction.delete(in: events, key: withUnsafeBytes(of: position.bigEndian) { Array($0) })
            }
        }
        #expect(try Ledger.open(at: store.path).verify().brokenPosition == 1498)
    }

    @Test func swappedRecordsAreFound() async throws {
        let store = try await Self.filledStore()
        let environment = try Environment(path: store.path)
        try environment.write { transaction in
            let events = try environment.openDatabase(named: "events", in: transaction)
            let a = withUnsafeBytes(of: UInt64(10).bigEndian) { Array($0) }
            let b = withUnsafeBytes(of: UInt64(11).bigEndian) { Array($0) }
            let recordA = try #require(try transaction.value(in: events, key: a))
            let recordB = try #require(try transaction.value(in: events, key: b))
            try transaction.put(in: events, key: a, value: recordB)
            try transaction.put(in: events, key: b, value: recordA)
        }
        #expect(try Ledger.open(at: store.path).verify().brokenPosition == 10)
    }

    /// The hashes are checked on a second thread behind the walk (`ChainHashingLane`), a batch at a time: an
    /// altered record is still named before a later one the walk finds missing before that batch is handed over,
    /// and before its own time.
    @Test func theFirstFaultIsNamedWhateverFindsIt() async throws {
        let store = try await Self.filledStore()
        try Self.alter(store.path, position: 5) { $0[20] ^= 0x80 }  // its stored hash: readable, and wrong
        let environment = try Environment(path: store.path)
        try environment.write { transaction in
            let events = try environment.openDatabase(named: "events", in: transaction)
            try transaction.delete(
                in: events, key: withUnsafeBytes(of: UInt64(100).bigEndian) { Array($0) })
        }
        guard case .broken(let first, let why) = try Ledger.open(at: store.path).verify() else {
            Issue.record("an altered hash and a removed record went unnoticed")
            return
        }
        #expect(first == 5)
        #expect(why.contains("does not match its hash"), "\(why)")

        // At one position, a record whose hash and time are both wrong is reported for its hash, as before.
        let other = try await Self.filledStore()
        // recordedAt's top byte zeroed: decades before the record before it, and covered by the hash.
        try Self.alter(other.path, position: 1_500) { $0[6] = 0 }
        guard case .broken(let position, let reason) = try Ledger.open(at: other.path).verify() else {
            Issue.record("two faults went unnoticed")
            return
        }
        #expect(position == 1_500)
        #expect(reason.contains("does not match its hash"), "\(reason)")
    }
}

extension VerificationResult {
    var brokenPosition: UInt64? {
        if case .broken(let position, _) = self { return position }
        return nil
    }
}
