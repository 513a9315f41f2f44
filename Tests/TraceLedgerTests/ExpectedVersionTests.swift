import Testing
import TraceLedger
import TraceLedgerTesting

@Suite struct ExpectedVersionTests {
    func captured(_ version: Int?, amount: String = "1.00") -> String {
        EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload: #"{"orderId":"SO-1","amount":"\#(amount)","currency":"EUR"}"#, expectedVersion: version)
    }

    @Test func matchingVersionsAppendAndAdvance() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let first = try await store.ledger.append(decoder.decode(captured(0)))
        let second = try await store.ledger.append(decoder.decode(captured(1, amount: "2.00")))
        #expect([first.streamVersion, second.streamVersion] == [1, 2])
        #expect(
            try store.ledger.history(of: StreamKey(domain: .payment, entityId: "pi_1")).map(\.streamVersion)
                == [1, 2])
    }

    @Test func aStaleVersionIsRefusedAndNothingIsWritten() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        _ = try await store.ledger.append(decoder.decode(captured(nil)))
        let error = await #expect(throws: LedgerError.self) {
            _ = try await store.ledger.append(decoder.decode(captured(0, amount: "9.00")))
        }
        #expect(error?.kind == .conflict)
        #expect(error?.field == "expectedVersion")
        #expect(error?.message.contains("payment/pi_1 is at version 1, not the expected 0") == true)
        #expect(try store.ledger.head().position == 1)
    }

    @Test func versionsCountWithinABatch() async throws {
        let store = try TemporaryStore()
        let decoder = EventDecoder()
        let outcomes = try await store.ledger.append([
            decoder.decode(captured(0)), decoder.decode(captured(1, amount: "2.00")),
            decoder.decode(captured(2, amount: "3.00")),
        ])
        #expect(outcomes.map(\.streamVersion) == [1, 2, 3])
        await #expect(throws: LedgerError.self) {
            _ = try await store.ledger.append([
                decoder.decode(captured(3, amount: "4.00")), decoder.decode(captured(3, amount: "5.00")),
            ])
        }
        #expect(try store.ledger.head().position == 3)
    }
}
