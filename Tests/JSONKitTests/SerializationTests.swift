import JSONKit
import Testing

@Suite("Serialisation")
struct SerializationTests {
    @Test("compact output keeps key order and number literals")
    func compact() throws {
        let text = "{ \"z\": 1.50, \"a\": [ true, null, 820982911946154508 ], \"e\": {} , \"s\": \"x\" }"
        let value = try JSONParser.parse(text).value
        #expect(value.serialized() == #"{"z":1.50,"a":[true,null,820982911946154508],"e":{},"s":"x"}"#)
    }

    @Test("serialise then parse gives back an equal value")
    func roundTrip() throws {
        let text = #"{"k\"ey": ["a\\b", "tab\there", "\u0001\u001f", "é😀", 1e-7, -0, {"n": [[], {}]}]}"#
        let value = try JSONParser.parse(text).value
        let again = try JSONParser.parse(value.serialized()).value
        #expect(again == value)
        #expect(again.serialized() == value.serialized())
    }

    @Test("quoting follows RFC 8259")
    func quoting() {
        #expect(JSONString.quoted("plain") == #""plain""#)
        #expect(JSONString.quoted("say \"hi\"\\") == #""say \"hi\"\\""#)
        #expect(JSONString.quoted("\n\r\t\u{8}\u{c}") == #""\n\r\t\b\f""#)
        #expect(JSONString.quoted("\u{0}\u{1f}\u{7f}") == "\"\\u0000\\u001f\u{7f}\"")
        #expect(JSONString.quoted("é 東京 😀 /") == "\"é 東京 😀 /\"")
        var buffer = Array("x=".utf8)
        JSONString.appendQuoted("a\"b", to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"x="a\"b""#)
    }

    @Test("values built in code serialise as expected")
    func literals() {
        let value: JSONValue = ["name": "Zoë", "count": 3, "tags": ["a", nil, false]]
        #expect(value.serialized() == #"{"name":"Zoë","count":3,"tags":["a",null,false]}"#)
    }
}
