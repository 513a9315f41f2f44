import JSONKit
import Testing

@Suite struct JSONMemberIndexTests {
    /// What the index says of every member agrees with the full parse: the value, and the byte range
    /// `JSONDocument` reports.
    static func expectAgreement(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = Array(text.utf8)
        let document = try JSONParser.parse(bytes)
        let object = try #require(document.value.objectValue, sourceLocation: sourceLocation)
        let index = try #require(JSONMemberIndex(bytes), "\(text)", sourceLocation: sourceLocation)
        for (key, value) in object.members {
            #expect(index[key] == value, "\(key) in \(text)", sourceLocation: sourceLocation)
            #expect(
                index.valueRange(of: key) == document.byteRange(ofMember: key), "\(key) in \(text)",
                sourceLocation: sourceLocation)
        }
        #expect(index["no such member"] == nil, sourceLocation: sourceLocation)
        #expect(index.value == document.value, sourceLocation: sourceLocation)
    }

    @Test func membersAgreeWithTheParser() throws {
        for text in [
            #"{}"#, #" { } "#, #"{"a":1}"#,
            #"{"orderId":"SO-1","amount":"23.80","currency":"EUR","lines":[{"sku":"A","quantity":2}]}"#,
            #"{ "a" : [ 1 , { "b" : "]}" } ] , "c" : "say \"hi\" \\ }" , "d" : null , "e" : true , "f" : -1.5e3 }"#,
            #"{"nested":{"deep":{"deeper":[[[]],{}]}},"after":"x"}"#,
            #"{"\u006frderId":"escaped key","o\"k":"quote in key","back\\slash":1}"#,
            #"{"ключ":"значение","emoji":"🧾","tab\tkey":"v"}"#,
            "{\n\t\"a\"\r\n:\n1\n}\n",
        ] {
            try Self.expectAgreement(text)
        }
        // An escaped key is found by its code points, an unescaped look-alike is not it.
        let index = try #require(JSONMemberIndex(Array(#"{"\u006frderId":1}"#.utf8)))
        #expect(index["orderId"] == .number(JSONNumber(literal: "1")!))
        #expect(index["\\u006frderId"] == nil)
    }

    /// Random objects of random nesting, strings with escapes and brackets, numbers and literals.
    @Test func randomObjectsAgreeWithTheParser() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        func string() -> String {
            let pieces = [
                "a", "B", "7", " ", "{", "}", "[", "]", ",", ":", #"\""#, #"\\"#, #"\n"#, #"\u00e9"#, "é",
                "🧾",
            ]
            return "\"" + (0..<next(6)).map { _ in pieces[next(pieces.count)] }.joined() + "\""
        }
        func value(_ depth: Int) -> String {
            switch next(depth > 3 ? 5 : 7) {
            case 0: return string()
            case 1: return ["0", "-12", "3.25", "1e400", "-0.0e-2", "123456789012345678901234"][next(6)]
            case 2: return ["true", "false", "null"][next(3)]
            case 3, 4: return string()
            case 5: return "[" + (0..<next(4)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
            default: return object(depth + 1)
            }
        }
        func object(_ depth: Int) -> String {
            var keys = Set<String>()
            var members: [String] = []
            for _ in 0..<next(6) {
                let key = string()
                guard keys.insert(key).inserted else { continue }
                let space = [" ", "", "\n", "\t"][next(4)]
                members.append(space + key + space + ":" + space + value(depth) + space)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
        var checked = 0
        for _ in 0..<500 {
            let text = object(0)
            // Two keys that differ in escapes only are one key: the parser refuses such a text.
            guard (try? JSONParser.parse(text)) != nil else { continue }
            try Self.expectAgreement(text)
            checked += 1
        }
        #expect(checked > 400)
    }

    /// Every prefix and every one-byte change of the hand-written texts: never a crash, and wherever the parser
    /// accepts the text, the index agrees with it.
    @Test func truncatedAndAlteredTextsNeverCrashAndAgreeWhenValid() throws {
        let texts = [
            #"{ "a" : [ 1 , { "b" : "]}" } ] , "c" : "say \"hi\" \\ }" , "d" : null , "e" : true , "f" : -1.5e3 }"#,
            #"{"\u006frderId":"escaped key","o\"k":"quote in key","back\\slash":1,"ключ":"🧾"}"#,
        ]
        let alphabet = Array(#"{}[]",:\ ae1-"#.utf8) + [0xFF, 0xC3]
        var agreed = 0
        for text in texts {
            let bytes = Array(text.utf8)
            var variants = (0...bytes.count).map { Array(bytes[..<$0]) }
            for offset in bytes.indices {
                for replacement in alphabet where replacement != bytes[offset] {
                    var changed = bytes
                    changed[offset] = replacement
                    variants.append(changed)
                }
            }
            for variant in variants {
                let index = JSONMemberIndex(variant)
                for key in ["a", "c", "f", "orderId", "o\"k", "back\\slash", "ключ"] { _ = index?[key] }
                guard let document = try? JSONParser.parse(variant), let object = document.value.objectValue
                else {
                    continue
                }
                let found = try #require(index, "\(String(decoding: variant, as: UTF8.self))")
                for (key, value) in object.members { #expect(found[key] == value) }
                agreed += 1
            }
        }
        #expect(agreed > 100)
    }

    /// What a damaged object gives (a payload is validated before it is stored, so only a damaged record): the
    /// first of two equal keys, and a member that does not parse as missing.
    @Test func aDamagedObjectGivesItsFirstKeyAndNoBrokenMember() throws {
        let index = try #require(JSONMemberIndex(Array(#"{"a":1,"a":2,"b":01,"c":"x"}"#.utf8)))
        #expect(index["a"] == .number(JSONNumber(literal: "1")!))
        #expect(index["b"] == nil)
        #expect(index["c"] == .string("x"))
        #expect(index.value == nil)
    }

    @Test func aTextThatIsNotAnObjectHasNoIndexAndNoneCrashes() {
        for text in [#"[1,2]"#, #""x""#, "12", "null", "", " ", #"{"a":1} x"#] {
            #expect(JSONMemberIndex(Array(text.utf8)) == nil, "\(text)")
        }
        // Malformed texts (a payload is validated before it is stored): nil or an index, never a crash.
        for text in [
            #"{"#, #"{"a""#, #"{"a":"#, #"{"a":}"#, #"{"a":1,"#, #"{"a":"\"#, #"{"a":[1,{"b":2]"#, #"{1:2}"#,
        ] {
            let index = JSONMemberIndex(Array(text.utf8))
            _ = index?["a"]
        }
    }
}
