import Foundation
import Testing

@testable import TraceLedgerWorkload

@Suite struct JSONEscapingTests {
    @Test func stringsAreEscapedAndKeysKeepTheirOrder() {
        var object = JSONObjectWriter()
        object.add("z", "a \"quoted\" \\ back\nslash\t\u{01}é")
        object.add("a", 1)
        object.add("big", 820_982_911_946_154_508 as UInt64)
        object.add("nested", json: JSONObjectWriter.array(["1", "{}"]))
        let json = object.finish()
        #expect(
            json
                == #"{"z":"a \"quoted\" \\ back\nslash\t\u0001é","a":1,"big":820982911946154508,"nested":[1,{}]}"#
        )
        let parsed = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        #expect(parsed?["z"] as? String == "a \"quoted\" \\ back\nslash\t\u{01}é")
    }

    @Test func moneyAndRatesAreExactDecimals() {
        #expect(MinorUnits.decimalString(cents: 59_218) == "592.18")
        #expect(MinorUnits.decimalString(cents: 5) == "0.05")
        #expect(MinorUnits.decimalString(cents: -105) == "-1.05")
        #expect(MinorUnits.rateString(19_000) == "0.19")
        #expect(MinorUnits.rateString(8_875) == "0.08875")
        #expect(MinorUnits.rateString(0) == "0")
        #expect(MinorUnits.tax(onNetCents: 9_980, rate: 19_000) == 1_896)
    }

    @Test func productNamesWithQuotesSurviveInLines() {
        let lines = Samples.events.filter { $0.payloadJSON.contains(#"12\" Vinyl"#) }
        #expect(!lines.isEmpty)
    }
}
