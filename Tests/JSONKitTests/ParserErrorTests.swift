import JSONKit
import Testing

@Suite("Rejecting invalid JSON")
struct ParserErrorTests {
    func error(_ bytes: [UInt8]) -> JSONError? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    func error(_ text: String) -> JSONError? { error(Array(text.utf8)) }

    @Test(
        "invalid texts are refused with a kind and offset",
        arguments: [
            ("", JSONError.Kind.unexpectedEndOfInput, 0),
            ("   ", .unexpectedEndOfInput, 3),
            ("{\"a\": 1,}", .unexpectedCharacter, 8),
            ("[1, 2,]", .unexpectedCharacter, 6),
            ("[1 2]", .unexpectedCharacter, 3),
            ("01", .invalidNumber, 0),
            ("-01", .invalidNumber, 1),
            ("1.", .unexpectedEndOfInput, 2),
            (".5", .unexpectedCharacter, 0),
            ("+1", .unexpectedCharacter, 0),
            ("1e", .unexpectedEndOfInput, 2),
            ("1.e5", .invalidNumber, 2),
            ("NaN", .unexpectedCharacter, 0),
            ("tru", .unexpectedEndOfInput, 3),
            ("nul1", .unexpectedCharacter, 3),
            ("{} x", .trailingContent, 3),
            ("1 2", .trailingContent, 2),
            ("\"abc", .unexpectedEndOfInput, 4),
            ("\"a\tb\"", .controlCharacterInString, 2),
            ("\"\\x\"", .invalidEscape, 1),
            ("\"\\u12G4\"", .invalidEscape, 1),
            ("\"\\ud800\"", .invalidEscape, 1),
            ("\"\\udc00\"", .invalidEscape, 1),
            ("\"\\ud800\\u0041\"", .invalidEscape, 1),
            ("{\"a\":1,\"b\":2,\"a\":3}", .duplicateKey, 13),
            ("[{\"x\":{\"y\":1,\"y\":1}}]", .duplicateKey, 13),
            ("{1: 2}", .unexpectedCharacter, 1),
            ("{\"a\" 1}", .unexpectedCharacter, 5),
            ("// comment\n1", .unexpectedCharacter, 0),
            ("\u{FEFF}{}", .unexpectedCharacter, 0),
        ])
    func invalidText(text: String, kind: JSONError.Kind, offset: Int) throws {
        let failure = try #require(error(text), "accepted \(text.debugDescription)")
        #expect(failure.kind == kind, "\(text.debugDescription): \(failure)")
        #expect(failure.offset == offset, "\(text.debugDescription): \(failure)")
    }

    @Test(
        "invalid UTF-8 is refused anywhere",
        arguments: [
            [0x22, 0xFF, 0x22],  // never valid
            [0x22, 0x80, 0x22],  // stray continuation byte
            [0x22, 0xC3, 0x22],  // truncated 2-byte sequence
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong 3-byte
            [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22],  // overlong 4-byte
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate U+D800
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0x61, 0x5C, 0x6E, 0xFE, 0x22],  // after an escape (slow path)
            [0xFF],  // outside any string
            [0x5B, 0x31, 0x2C, 0xC3, 0x28, 0x5D],  // between values
        ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) throws {
        let failure = try #require(error(bytes), "accepted \(bytes)")
        #expect(failure.kind == .invalidUTF8, "\(bytes): \(failure)")
        #expect(failure.description.hasPrefix("invalid UTF-8 at byte"))
    }

    @Test("messages say what was found, where, and what was expected")
    func messages() {
        #expect(error("{\"a\": }")?.description == "unexpected character '}' at byte 6: expected a value")
        #expect(error("{\"amount\": 1, \"amount\": 2}")?.description == "duplicate key \"amount\" at byte 14")
        #expect(error([0x22, 0x61, 0xFF, 0x22])?.description == "invalid UTF-8 at byte 2")
        #expect(
            error("{\"a\": \"xyz")?.description
                == "unexpected end of input at byte 10: unterminated string starting at byte 6")
        #expect(
            error("[1] ]")?.description
                == "unexpected character ']' at byte 4: expected end of input after the top-level value")
    }

    @Test("nesting deeper than the limit is refused without exhausting the stack")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let failure = try #require(error(deep))
        #expect(failure.kind == .nestingTooDeep)
        #expect(failure.description == "nesting deeper than 64 at byte 64")
        let hostile = String(repeating: "{\"a\":", count: 1_000_000)
        #expect(error(hostile)?.kind == .nestingTooDeep)
        #expect(throws: JSONError.self) { try JSONParser.parse("[[[1]]]", maximumDepth: 2) }
    }
}
