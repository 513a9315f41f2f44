import Testing
import TraceLedger
import TraceLedgerTesting

@Suite struct EventTypeRoundTripTests {
    @Test func everySchemaTypeHasAMinimalPayloadInTheTests() {
        #expect(Set(EventSchemas.builtIn.types) == Set(EventLine.minimalPayloads.keys))
    }

    @Test(arguments: EventSchemas.builtIn.types)
    func appendsAndReadsBack(type: String) async throws {
        let store = try TemporaryStore()
        let payload = try #require(EventLine.minimalPayloads[type])
        let line = EventLine.make(type: type, entityId: EventLine.entityId(for: type), payload: payload)
        let outcome = try await store.ledger.append(EventDecoder().decode(line))
        #expect(outcome.position == 1)
        #expect(outcome.streamVersion == 1)
        #expect(!outcome.isDuplicate)
        let event = try #require(try store.ledger.event(at: 1))
        #expect(event.type == type)
        #expect(event.payloadText == payload)
        #expect(event.entityId == EventLine.entityId(for: type))
        #expect(event.origin == "shopify")
        #expect(event.actor == "service:shopify-connector")
        #expect(event.occurredAt.rfc3339 == "2026-11-02T09:15:03.123Z")
        #expect(event.hash != .genesis)
    }
}
