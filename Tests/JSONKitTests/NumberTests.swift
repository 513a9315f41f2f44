import JSONKit
import Testing

@Suite("Exact number semantics")
struct NumberTests {
    func number(_ literal: String) throws -> JSONNumber {
        try #require(JSONNumber(literal: literal), "\(literal) should be a valid number")
    }

    @Test(
        "equal values in different notations are equal",
        arguments: [
            ("1", "1.0"), ("1", "1e0"), ("100", "1e2"), ("100", "1.00E+2"), ("0", "-0"), ("0", "0.0e10"),
            ("0.5", "5e-1"), ("-2", "-2.0"), ("12345678901234567890123", "1.2345678901234567890123e22"),
        ])
    func equalValues(left: String, right: String) throws {
        #expect(try number(left) == number(right))
        #expect(try number(left).hashValue == number(right).hashValue)
        #expect(try !(number(left) < number(right)) && !(number(right) < number(left)))
    }

    @Test(
        "ordering is exact for any size",
        arguments: [
            ("-1", "0"), ("0", "1e-400"), ("1e400", "1e401"), ("-1e401", "-1e400"),
            ("9007199254740992", "9007199254740993"), ("18446744073709551615", "18446744073709551616"),
            ("0.1", "0.10000000000000001"), ("-0.5", "-0.4"), ("99", "1e2"), ("1.5", "2"),
            ("-12345678901234567890124", "-12345678901234567890123"),
        ])
    func ordering(smaller: String, larger: String) throws {
        #expect(try number(smaller) < number(larger))
        #expect(try !(number(larger) < number(smaller)))
        #expect(try number(smaller) != number(larger))
    }

    @Test("isInteger follows JSON Schema: 1.0 and 1e2 are integers")
    func integers() throws {
        for literal in ["0", "-7", "1.0", "1e2", "2.50e1", "12345678901234567890123", "-0.0"] {
            #expect(try number(literal).isInteger, "\(literal)")
        }
        for literal in ["0.5", "1e-1", "2.55e1", "1.0000000000000000000001"] {
            #expect(try !number(literal).isInteger, "\(literal)")
        }
    }

    @Test("int64Value is exact or nil")
    func int64Values() throws {
        #expect(try number("9223372036854775807").int64Value == Int64.max)
        #expect(try number("-9223372036854775808").int64Value == Int64.min)
        #expect(try number("9223372036854775808").int64Value == nil)
        #expect(try number("1.5e1").int64Value == 15)
        #expect(try number("1.5").int64Value == nil)
        #expect(try number("1e18").int64Value == 1_000_000_000_000_000_000)
        #expect(try number("1e19").int64Value == nil)
        #expect(try number("-0").int64Value == 0)
    }

    @Test("literals outside the JSON grammar are refused")
    func invalidLiterals() {
        for literal in ["", "01", "1.", ".5", "+1", "1e", "0x10", "NaN", "1 ", "--1"] {
            #expect(JSONNumber(literal: literal) == nil, "\(literal)")
        }
    }

    @Test("JSON equality: numbers by value, objects ignore order, booleans are not numbers")
    func valueEquality() throws {
        let left = try JSONParser.parse(#"{"a": 1, "b": [1.0, {"x": true}]}"#).value
        let right = try JSONParser.parse(#"{"b": [1e0, {"x": true}], "a": 1.00}"#).value
        #expect(left == right)
        #expect(JSONValue.bool(true) != 1)
        #expect(JSONValue.bool(false) != 0)
        #expect(JSONValue.string("\u{e9}") != .string("e\u{301}"))
    }
}
