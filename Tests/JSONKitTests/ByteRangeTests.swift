import JSONKit
import Testing

@Suite("Byte ranges of top-level members")
struct ByteRangeTests {
    func slice(_ text: String, _ key: String) throws -> String? {
        let bytes = Array(text.utf8)
        let document = try JSONParser.parse(bytes)
        guard let range = document.byteRange(ofMember: key) else { return nil }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    @Test("ranges cover exactly each value, without surrounding whitespace")
    func exactRanges() throws {
        let text =
            "{ \"id\" :  7 ,\n \"payload\":\t{\"a\": [1, 2], \"n\": {\"deep\": \"}\"}} , \"s\": \"x\\\"y\", \"z\": null }"
        #expect(try slice(text, "id") == "7")
        #expect(try slice(text, "payload") == "{\"a\": [1, 2], \"n\": {\"deep\": \"}\"}}")
        #expect(try slice(text, "s") == "\"x\\\"y\"")
        #expect(try slice(text, "z") == "null")
        #expect(try slice(text, "missing") == nil)
        #expect(try slice(text, "a") == nil, "nested keys are not top-level members")
    }

    @Test("payload bytes are kept byte-exact, including number literals and escapes")
    func byteExactPayload() throws {
        let payload = "{\"amount\": 592.18, \"id\": 820982911946154508, \"note\": \"caf\\u00e9 ☕\"}"
        let text = "{\"type\":\"order\",\"payload\":\(payload)}"
        #expect(try slice(text, "payload") == payload)
    }

    @Test("non-object documents have no member ranges")
    func nonObject() throws {
        #expect(try JSONParser.parse("[1]").byteRange(ofMember: "0") == nil)
    }

    @Test("offsets count bytes, not characters")
    func multiByteOffsets() throws {
        let text = "{\"é\": \"東京\", \"n\": 1}"
        let document = try JSONParser.parse(text)
        #expect(document.byteRange(ofMember: "é") == 7..<15)
        #expect(document.byteRange(ofMember: "n") == 22..<23)
    }
}
