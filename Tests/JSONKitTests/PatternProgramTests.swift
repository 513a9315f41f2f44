import Foundation
import Testing

@testable import JSONKit

/// The pattern machine agrees with ICU (the reference it replaces on the hot path) on every pattern of the
/// event schemas and on tricky ones, for many inputs; and refuses what it does not support.
@Suite("pattern machine")
struct PatternProgramTests {
    static let patterns = [
        #"^[^\s\x00-\x1F\x7F-\x9F](?:[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?$"#,
        #"[\x00-\x1F\x7F-\x9F\u2028\u2029]"#, #"[\n\r\u0085\u2028\u2029]"#, "^[A-Z]{3}$",
        #"^(0|[1-9][0-9]*)(\.[0-9]{1,10})?$"#, #"^-?(0|[1-9][0-9]*)(\.[0-9]{1,10})?$"#, "@", "^[A-Z]{2}$",
        #"^[a-z]+\.[a-z_]+$"#, "^[a-z0-9][a-z0-9._-]{0,63}$", "^[A-Za-z0-9._:-]{1,128}$",
        #"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"#,
        "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
        #"^(user|service|system):[^\s]{1,250}$"#, "^a*$", "a+", #"^\d+$"#, "[0-9]+", "(a|ab)(c|bcd)(d*)",
        "^(a+)+$", "x*", "^$", "a{2,}b", "colou?r", #"^\w+@\w+\.\w{2,3}$"#, "a.c", "^(?:ab|a)*?b$",
        #"\D\W\S"#,
    ]
    static let inputs = [
        "", "a", "aaa", "abc", "xxaayy", "SO-100001", " SO-1", "SO-1 ", "SO 1", "SKU-00042@WH-BER", "EUR",
        "EURO",
        "eu", "0", "01", "592.18", "-3.5", "1.12345678901", "order.created", "order.created\n",
        "Order.created",
        "shopify", "shopify-admin", "-shop", "4bf92f3577b34da6a3ce929d0e0e4736", "a:b.c-d_e",
        "2026-11-02T09:15:03.123Z", "2026-11-02T09:15:03Z", "2026-13-02T09:15:03Z",
        "2026-11-02T09:15:03+01:00",
        "2026-11-02T24:15:03Z", "2026-11-02T09:15:60.123456789Z", "5f0c6a3e-2b1d-4c8e-9a7f-1e2d3c4b5a69",
        "5f0c6a3e-2b1d-4c8e-9a7f-1e2d3c4b5a6", "service:shopify-connector", "user:alice@example.com", "user:",
        "user:a b", "robot:x", "tab\there", "nul\u{0}", "del\u{7F}", "c1\u{85}", "ls\u{2028}", "é",
        "e\u{301}",
        "😀", "a😀c", "abc😀", "123", "١٢٣", "123\n", "xx12yy", "abcd", "abbcd", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
        "color", "colour", "colouur", "aab", "ab", "b", "abab", "ababb", "x@y.com", "x@y.info", "aXc", "a\nc",
        "1 !", "a_!", String(repeating: "a", count: 300), String(repeating: "A", count: 130),
    ]

    @Test("agrees with ICU on the schemas' patterns and tricky ones")
    func agreesWithICU() throws {
        for pattern in Self.patterns {
            let program = try #require(PatternProgram(pattern), "\(pattern) should be supported")
            let reference = try NSRegularExpression(pattern: SchemaPattern.translated(pattern))
            for input in Self.inputs {
                let expected =
                    reference.firstMatch(in: input, range: NSRange(location: 0, length: input.utf16.count))
                    != nil
                #expect(program.matches(input) == expected, "\(pattern) on \(input.debugDescription)")
            }
        }
    }

    @Test("follows ECMA-262 where ICU differs: \\s has no U+0085 but has U+FEFF and \\v")
    func ecmaWhitespace() throws {
        let space = try #require(PatternProgram(#"^\s$"#))
        #expect(!space.matches("\u{85}"))
        #expect(space.matches("\u{FEFF}"))
        #expect(space.matches("\u{0B}"))
    }

    @Test("leaves backreferences, lookaround, \\b, \\p and empty classes to ICU")
    func unsupported() {
        for pattern in [
            #"(a)\1"#, "a(?=b)", "a(?!b)", #"\bword"#, #"^\p{Letter}+$"#, "[]", "[^]", "a**", #"\cJ"#,
        ] {
            #expect(PatternProgram(pattern) == nil, "\(pattern)")
        }
    }

    @Test("catastrophic patterns stay bounded")
    func bounded() throws {
        let program = try #require(PatternProgram("^(a+)+$"))
        #expect(!program.matches(String(repeating: "a", count: 5000) + "!"))
        #expect(program.matches(String(repeating: "a", count: 5000)))
        let empty = try #require(PatternProgram("^(a*)*b$"))
        #expect(!empty.matches(String(repeating: "a", count: 200)))
    }
}
