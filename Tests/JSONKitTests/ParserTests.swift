import JSONKit
import Testing

@Suite("Parsing valid JSON")
struct ParserTests {
    @Test("big integers keep their exact literal")
    func bigIntegersRoundTrip() throws {
        let text = #"{"id":820982911946154508,"huge":12345678901234567890123,"neg":-9223372036854775808}"#
        let document = try JSONParser.parse(text)
        #expect(document.value["id"]?.numberValue?.literal == "820982911946154508")
        #expect(document.value["id"]?.numberValue?.int64Value == 820_982_911_946_154_508)
        #expect(document.value["huge"]?.numberValue?.literal == "12345678901234567890123")
        #expect(document.value["huge"]?.numberValue?.int64Value == nil)
        #expect(document.value["neg"]?.numberValue?.int64Value == Int64.min)
        #expect(document.value.serialized() == text)
    }

    @Test("decimals are kept as written, never through Double")
    func decimalsKeepLiteral() throws {
        let document = try JSONParser.parse(#"[592.18, 0.1, 1e400, -0.0, 1E+2, 2.50]"#)
        let literals = document.value.arrayValue?.compactMap { $0.numberValue?.literal }
        #expect(literals == ["592.18", "0.1", "1e400", "-0.0", "1E+2", "2.50"])
    }

    @Test("scalars, nesting and whitespace")
    func structure() throws {
        let document = try JSONParser.parse(" \n\t{\"a\" : [true, false, null, {\"b\": []}], \"c\": {}}\r\n")
        let expected: JSONValue = ["a": [true, false, nil, ["b": []]], "c": [:]]
        #expect(document.value == expected)
        #expect(try JSONParser.parse("\"top\"").value == "top")
        #expect(try JSONParser.parse("7").value == 7)
        #expect(try JSONParser.parse("null").value.isNull)
    }

    @Test("escapes decode to the right characters")
    func escapes() throws {
        let document = try JSONParser.parse(
            #"["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u4e2d", "\ud83d\ude00", "a\u0000b"]"#)
        let strings = document.value.arrayValue?.compactMap(\.stringValue)
        #expect(strings == ["\"\\/\u{8}\u{c}\n\r\t", "Aé中", "😀", "a\u{0}b"])
    }

    @Test("raw non-ASCII UTF-8 is kept")
    func rawUTF8() throws {
        let document = try JSONParser.parse(#"{"name": "Zoë – 東京 🚀"}"#)
        #expect(document.value["name"]?.stringValue == "Zoë – 東京 🚀")
    }

    @Test("members keep their order; keys differing only in normalisation are distinct")
    func memberOrder() throws {
        let document = try JSONParser.parse("{\"z\":1,\"a\":2,\"\u{e9}\":3,\"e\u{301}\":4}")
        let object = try #require(document.value.objectValue)
        #expect(object.keys == ["z", "a", "\u{e9}", "e\u{301}"])
        #expect(object["e\u{301}"] == 4)
        #expect(object.count == 4)
    }

    @Test("byte, array and substring inputs agree")
    func inputForms() throws {
        let text = #"{"k": [1, "two"]}"#
        let fromString = try JSONParser.parse(text).value
        let fromBytes = try JSONParser.parse(Array(text.utf8)).value
        let fromSubstring = try JSONParser.parse(("xx" + text).dropFirst(2)).value
        let fromRaw = try Array(text.utf8).withUnsafeBytes { raw in try JSONParser.parse(raw).value }
        #expect(fromString == fromBytes)
        #expect(fromString == fromSubstring)
        #expect(fromString == fromRaw)
    }

    @Test("objects with many members are checked for duplicates with a hash set")
    func manyMembers() throws {
        let members = (0..<100).map { "\"k\($0)\": \($0)" }.joined(separator: ",")
        let document = try JSONParser.parse("{\(members)}")
        #expect(document.value.objectValue?.count == 100)
        #expect(document.value["k99"] == 99)
    }

    @Test("nesting up to the limit is accepted")
    func depthWithinLimit() throws {
        let nested = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(nested)
        let deeper = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSONParser.parse(deeper, maximumDepth: 100)
    }
}
