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

    /// `event_ids` files an event under the last 8 bytes of its id: ids that share them are still told apart.
    @Test func idsSharingTheirIndexedHalfAreDistinctEvents() async throws {
        let store = try TemporaryStore()
        let ids = [
            "11111111-1111-4111-9a51-0d3b5e7f9a11", "22222222-2222-4222-9a51-0d3b5e7f9a11",
            "33333333-3333-4333-9a51-0d3b5e7f9a11",
        ]
        func line(_ index: Int) -> String {
            EventLine.make(
                type: "payment.captured", entityId: "pi_\(index)", payload: payload, eventId: ids[index])
        }
        let first = try await store.ledger.append(EventDecoder().decode(line(0)))
        let second = try await store.ledger.append(EventDecoder().decode(line(1)))
        #expect(!first.isDuplicate && !second.isDuplicate && second.position == 2)
        for _ in 0..<2 {
            #expect(try await store.ledger.append(EventDecoder().decode(line(1))).position == 2)
            #expect(try await store.ledger.append(EventDecoder().decode(line(0))).position == 1)
            #expect(try store.ledger.event(withId: EventID(ids[1])!)?.content.entityId == "pi_1")
            #expect(try store.ledger.event(withId: EventID(ids[2])!) == nil)
            #expect(try store.ledger.verifyIndexes().isEmpty)
            try await store.ledger.repairIndexes()  // and the same once rebuilt from the records
        }
        let third = try await store.ledger.append(EventDecoder().decode(line(2)))
        #expect(!third.isDuplicate && third.position == 3)
        #expect(try store.ledger.head().position == 3)
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
