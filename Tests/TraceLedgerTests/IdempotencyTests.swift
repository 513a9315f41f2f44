import Crypto
import LMDBKit
import Testing
import TraceLedger
import TraceLedgerTesting

@Suite struct IdempotencyTests {
    let payload = #"{"orderId":"SO-1","amount":"23.80","currency":"EUR"}"#

    @Test func reappendingAnIdenticalEventReturnsTheOriginalPosition() async throws {
        let store = try TemporaryStore()
        let line = EventLine.make(type: "payment.captured", entityId: "pi_1", payload: payload)
        let first = try await store.ledger.append(EventDecoder().decode(line))
        let other = EventLine.make(type: "payment.authorized", entityId: "pi_2", payload: payload)
        _ = try await store.ledger.append(EventDecoder().decode(other))
        let again = try await store.ledger.append(EventDecoder().decode(line))
        #expect(again.position == first.position)
        #expect(again.isDuplicate)
        #expect(try store.ledger.head().position == 2)
    }

    @Test func theDedupeIsPermanentAcrossReopening() async throws {
        let store = try TemporaryStore()
        let line = EventLine.make(type: "payment.captured", entityId: "pi_1", payload: payload)
        _ = try await store.ledger.append(EventDecoder().decode(line))
        let reopened = try Ledger.open(at: store.path)
        let again = try await reopened.append(EventDecoder().decode(line))
        #expect(again.isDuplicate && again.position == 1)
        #expect(try reopened.head().position == 1)
    }

    @Test func aReusedIdWithOtherContentIsAConflict() async throws {
        let store = try TemporaryStore()
        let id = "2f1d6a9e-4b7c-4c1e-9a51-0d3b5e7f9a11"
        _ = try await store.ledger.append(
            EventDecoder().decode(
                EventLine.make(type: "payment.captured", entityId: "pi_1", payload: payload, eventId: id)))
        let changed = #"{"orderId":"SO-1","amount":"99.99","currency":"EUR"}"#
        let error = await #expect(throws: LedgerError.self) {
            _ = try await store.ledger.append(
                EventDecoder().decode(
                    EventLine.make(type: "payment.captured", entityId: "pi_1", payload: changed, eventId: id))
            )
        }
        #expect(error?.kind == .conflict)
        #expect(error?.field == "eventId")
        #expect(error?.message.contains("already exists at position 1") == true)
        #expect(try store.ledger.head().position == 1)
    }

    @Test func eventsWithoutIdsGetContentDerivedIdsSoResendingIsHarmless() async throws {
        let store = try TemporaryStore()
        let line = EventLine.make(type: "payment.captured", entityId: "pi_1", payload: payload, eventId: nil)
        let first = try await store.ledger.append(EventDecoder().decode(line))
        let second = try await store.ledger.append(EventDecoder().decode(line))
        #expect(second.isDuplicate && second.position == first.position)
        #expect(first.eventId.description.dropFirst(14).first == "8")  // UUID version 8
        let different = EventLine.make(
            type: "payment.captured", entityId: "pi_2", payload: payload, eventId: nil)
        let third = try await store.ledger.append(EventDecoder().decode(different))
        #expect(!third.isDuplicate && third.eventId != first.eventId)
    }

    /// `event_ids` files an event under 8 bytes of its id's SHA-256, so ids can share a key: each record under it
    /// is compared by its whole id. Real collisions take ~2³² hashes to find, so the test files entries under
    /// other ids' keys through LMDB, as a collision would.
    @Test func eventsSharingAnEventIdKeyAreToldApartByTheirWholeIds() async throws {
        let store = try TemporaryStore()
        let ids = [
            "11111111-1111-4111-9a51-0d3b5e7f9a11", "22222222-2222-4222-9a51-0d3b5e7f9a11",
            "33333333-3333-4333-9a51-0d3b5e7f9a11",
        ]
        func line(_ index: Int, amount: String = "23.80") throws -> ProposedEvent {
            try EventDecoder().decode(
                EventLine.make(
                    type: "payment.captured", entityId: "pi_\(index)",
                    payload: #"{"orderId":"SO-1","amount":"\#(amount)","currency":"EUR"}"#,
                    eventId: ids[index]))
        }
        _ = try await store.ledger.append(try line(0))
        _ = try await store.ledger.append(try line(1))
        await store.ledger.close()
        func key(_ id: String) -> [UInt8] { Array(SHA256.hash(data: EventID(id)!.bytes).prefix(8)) }
        let environment = try Environment(path: store.path)
        try environment.write { transaction in
            let eventIds = try environment.openDatabase(
                named: "event_ids", flags: [.duplicateSort, .duplicateFixed], in: transaction)
            // The third id's key names position 1; the first id's key names position 2 as well.
            try transaction.put(in: eventIds, key: key(ids[2]), value: UInt64(1).bigEndianBytesForTest)
            try transaction.put(in: eventIds, key: key(ids[0]), value: UInt64(2).bigEndianBytesForTest)
        }
        let ledger = try Ledger.open(at: store.path)
        #expect(try ledger.event(withId: EventID(ids[2])!) == nil)
        #expect(try ledger.event(withId: EventID(ids[0])!)?.position == 1)
        let third = try await ledger.append(try line(2))
        #expect(!third.isDuplicate && third.position == 3)
        for (index, position) in [(0, 1), (1, 2), (2, 3)] {
            let again = try await ledger.append(try line(index))
            #expect(again.isDuplicate && again.position == UInt64(position), "id \(index)")
        }
        let error = await #expect(throws: LedgerError.self) {
            _ = try await ledger.append(try line(0, amount: "1.00"))
        }
        #expect(error?.kind == .conflict)
        #expect(error?.message.contains("already exists at position 1") == true)
        // The entries filed by hand are extra to what the records say; repair drops them.
        #expect(try ledger.verifyIndexes().map(\.index) == ["event_ids"])
        try await ledger.repairIndexes()
        #expect(try ledger.verifyIndexes().isEmpty)
        #expect(try ledger.event(withId: EventID(ids[2])!)?.position == 3)
        #expect(try ledger.head().position == 3)
    }

    /// Two records with one event id (a record copied over another through LMDB, its index entry moved along):
    /// verify names them, though `event_ids` itself agrees with the records.
    @Test func twoRecordsWithOneEventIdAreNamed() async throws {
        let store = try TemporaryStore()
        let first = try await store.ledger.append(
            EventDecoder().decode(
                EventLine.make(type: "payment.captured", entityId: "pi_1", payload: payload)))
        let second = try await store.ledger.append(
            EventDecoder().decode(
                EventLine.make(type: "payment.captured", entityId: "pi_2", payload: payload)))
        await store.ledger.close()
        func key(_ id: EventID) -> [UInt8] { Array(SHA256.hash(data: id.bytes).prefix(8)) }
        let environment = try Environment(path: store.path)
        try environment.write { transaction in
            let events = try environment.openDatabase(named: "events", in: transaction)
            let log = try environment.openDatabase(named: "event_id_log", in: transaction)
            let record = try #require(try transaction.value(in: events, key: UInt64(1).bigEndianBytesForTest))
            try transaction.put(in: events, key: UInt64(2).bigEndianBytesForTest, value: record)
            // New entries are in the event-id log (`EventIdIndex`): position 2's now names the first id.
            #expect(
                try transaction.value(in: log, key: UInt64(2).bigEndianBytesForTest) == key(second.eventId))
            try transaction.put(in: log, key: UInt64(2).bigEndianBytesForTest, value: key(first.eventId))
        }
        let damage = try Ledger.open(at: store.path).verifyIndexes()
        let reason = try #require(damage.first { $0.index == "event_ids" }?.reason)
        #expect(reason.contains("positions 1 and 2 hold the same event id \(first.eventId)"), "\(reason)")
    }

    @Test func theSameIdTwiceInOneBatch() async throws {
        let store = try TemporaryStore()
        let id = "7a1d6a9e-4b7c-4c1e-9a51-0d3b5e7f9a11"
        let line = EventLine.make(type: "payment.captured", entityId: "pi_1", payload: payload, eventId: id)
        let outcomes = try await store.ledger.append([
            EventDecoder().decode(line), EventDecoder().decode(line),
        ])
        #expect(outcomes.map(\.position) == [1, 1])
        #expect(outcomes.map(\.isDuplicate) == [false, true])
        let changed = EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload: #"{"orderId":"SO-1","amount":"1.00","currency":"EUR"}"#,
            eventId: "8a1d6a9e-4b7c-4c1e-9a51-0d3b5e7f9a11")
        let conflicting = EventLine.make(
            type: "payment.captured", entityId: "pi_1", payload: payload,
            eventId: "8a1d6a9e-4b7c-4c1e-9a51-0d3b5e7f9a11")
        let error = await #expect(throws: LedgerError.self) {
            _ = try await store.ledger.append([
                EventDecoder().decode(changed), EventDecoder().decode(conflicting),
            ])
        }
        #expect(error?.batchIndex == 1)
        #expect(try store.ledger.head().position == 1)
    }
}

extension UInt64 {
    fileprivate var bigEndianBytesForTest: [UInt8] { withUnsafeBytes(of: bigEndian) { Array($0) } }
}
