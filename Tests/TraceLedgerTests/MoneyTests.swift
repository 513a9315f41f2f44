import Testing
import TraceLedger

/// Exact decimal money: parsing the schemas' decimal strings, printing, adding, comparing.
@Suite struct MoneyTests {
    @Test func parsesAndPrintsTheDecimalsOfTheEvents() throws {
        #expect(Money("592.18")?.description == "592.18")
        #expect(Money("0")?.description == "0")
        #expect(Money("-12.50")?.description == "-12.50")
        #expect(Money("0.0000000001")?.description == "0.0000000001")
        #expect(Money("123456789012345678901234567.5")?.description == "123456789012345678901234567.5")
    }

    @Test func refusesWhatIsNotADecimalString() {
        for text in ["", "-", ".5", "1.", "1e3", "+1", " 1", "1,5", "0.00000000001", "1.2.3", "abc"] {
            #expect(Money(text) == nil, "\(text)")
        }
    }

    @Test func addsExactlyWhereADoubleWouldNot() throws {
        var total = Money.zero
        for _ in 0..<10 { total += try #require(Money("0.10")) }
        #expect(total.description == "1.00")
        #expect((try #require(Money("59.20")) + #require(Money("0.3"))).description == "59.50")
        #expect((try #require(Money("10")) - #require(Money("10.01"))).description == "-0.01")
        #expect(try #require(Money("20.0")) == #require(Money("20.00")))
        #expect(try #require(Money("9.99")) < #require(Money("10")))
    }
}
