import Testing
import TraceLedger
import TraceLedgerTesting

@Suite struct BytePreservationTests {
    @Test func bigIntegersDecimalsAndFormattingComeBackByteIdentical() async throws {
        let store = try TemporaryStore()
        // A Shopify id above 2^53, a 20-digit integer, decimals with trailing zeros, an exponent, unicode,
        // escapes and irregular whitespace: none may be re-encoded.
        let payload =
            #"{ "customerId":"CUST-1", "currency":"EUR","shopifyOrderId":820982911946154508,"#
            + #""bigId": 12345678901234567890123, "lines":[{"sku":"SKU-1","quantity":2,"unitPrice":"592.180"}],"#
            + #""netTotal":"1184.36","taxTotal":"225.03","grandTotal":"1409.39","ratio":1.50e3,"#
            + #""note":"Grüße \u00e9 \"quoted\" 🚚" }"#
        let line = EventLine.make(type: "order.created", entityId: "SO-1", payload: payload)
        _ = try await store.ledger.append(EventDecoder().decode(line))
        let event = try #require(try store.ledger.event(at: 1))
        #expect(event.payloadText == payload)
        #expect(event.envelopeJSON().hasSuffix(",\"payload\":" + payload + "}"))
        #expect(event.envelopeJSON().contains("820982911946154508"))
    }

    @Test func payloadSurvivesReopeningTheStore() async throws {
        let store = try TemporaryStore()
        let payload =
            #"{"orderId":"SO-1","amount":"0.10","currency":"EUR","stripeChargeId":18446744073709551617}"#
        _ = try await store.ledger.append(
            EventDecoder().decode(
                EventLine.make(type: "payment.captured", entityId: "pi_1", payload: payload)))
        let reopened = try Ledger.open(at: store.path)
        #expect(try reopened.event(at: 1)?.payloadText == payload)
    }
}

/// A pretty-printed payload keeps every byte but its line breaks, so each envelope stays one NDJSON line.
@Suite struct PrettyPayloadTests {
    @Test func lineBreaksBetweenTokensBecomeSpacesAndNothingElseChanges() throws {
        let text = EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload:
                "{\n  \"orderId\": \"SO-1\",\r\n  \"amount\": \"23.80\",\n  \"currency\": \"EUR\", \"note\": \"a\\nb\"\n}"
        )
        let batch = text.utf8CString.withUnsafeBytes {
            EventDecoder().decodeSingle(UnsafeRawBufferPointer(rebasing: $0.dropLast()))
        }
        let event = try #require(batch.events.first)
        #expect(
            event.content.payloadText
                == "{   \"orderId\": \"SO-1\",    \"amount\": \"23.80\",   \"currency\": \"EUR\", \"note\": \"a\\nb\" }"
        )
    }
}
