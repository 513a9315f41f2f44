/// A strict RFC 8259 JSON parser over raw UTF-8 bytes.
///
/// Strictness is deliberate: TraceLedger stores what it parses for years, so anything ambiguous
/// is refused rather than repaired.
/// - invalid UTF-8 anywhere (overlong forms, encoded surrogates, stray continuation bytes);
/// - lone UTF-16 surrogates in `\u` escapes, unescaped control characters in strings;
/// - leading zeros, `1.`, `.5`, `+1`, `NaN`, comments, trailing commas, a byte order mark;
/// - duplicate keys in any object (a reader could pick either value);
/// - anything but whitespace after the top-level value;
/// - nesting deeper than `maximumDepth` (default 64), so hostile input cannot exhaust the stack.
///
/// Numbers keep their exact literal (see ``JSONNumber``).
///
/// ```swift
/// let document = try JSONParser.parse(#"{"amount": 592.18, "id": 820982911946154508}"#)
/// document.value["amount"]?.numberValue?.literal  // "592.18"
/// ```
///
/// Sendable: stateless; each call parses independently.
public struct JSONParser: Sendable {
    /// The nesting limit used when none is given: 64 levels of arrays and objects.
    public static let defaultMaximumDepth = 64

    /// Parses one JSON text from raw UTF-8 bytes.
    ///
    /// - Parameters:
    ///   - bytes: The complete JSON text. Only read during the call.
    ///   - maximumDepth: How many arrays/objects may nest; the top-level container is level 1.
    /// - Throws: ``JSONError`` naming the first problem and its byte offset.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONError) -> JSONDocument {
        let buffer = bytes.bindMemory(to: UInt8.self)
        guard let base = buffer.baseAddress, !buffer.isEmpty else {
            throw JSONError(
                .unexpectedEndOfInput, at: 0, message: "unexpected end of input at byte 0: expected a value")
        }
        var reader = JSONReader(base: base, count: buffer.count, maximumDepth: maximumDepth)
        return try reader.readDocument()
    }

    /// Parses one JSON text from an array of UTF-8 bytes, without copying it.
    public static func parse(
        _ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONError) -> JSONDocument {
        let result: Result<JSONDocument, JSONError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONError) in try parse(raw, maximumDepth: maximumDepth) }
        }
        return try result.get()
    }

    /// Parses one JSON text from a string's UTF-8 bytes; byte offsets refer to `text.utf8`.
    public static func parse(
        _ text: String, maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONError) -> JSONDocument {
        try parse(text[...], maximumDepth: maximumDepth)
    }

    /// Parses one JSON text from a substring's UTF-8 bytes; byte offsets are relative to its start.
    public static func parse(
        _ text: Substring, maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONError) -> JSONDocument {
        var text = text
        let result: Result<JSONDocument, JSONError> = text.withUTF8 { buffer in
            Result { () throws(JSONError) in
                try parse(UnsafeRawBufferPointer(buffer), maximumDepth: maximumDepth)
            }
        }
        return try result.get()
    }
}

/// The byte cursor behind ``JSONParser``: one pass, recursive descent, depth-limited.
///
/// Not Sendable in spirit: it points into a buffer that is valid only during one `parse` call.
struct JSONReader {
    let base: UnsafePointer<UInt8>
    let count: Int
    let maximumDepth: Int
    var position = 0
    var topLevelMemberRanges: [Range<Int>] = []
    var topLevelElementRanges: [Range<Int>] = []

    init(base: UnsafePointer<UInt8>, count: Int, maximumDepth: Int) {
        self.base = base
        self.count = count
        self.maximumDepth = maximumDepth
    }

    mutating func readDocument() throws(JSONError) -> JSONDocument {
        skipWhitespace()
        let value = try readValue(depth: 0)
        skipWhitespace()
        if position < count {
            throw unexpected(expected: "end of input after the top-level value", kind: .trailingContent)
        }
        return JSONDocument(
            value: value, topLevelMemberRanges: topLevelMemberRanges,
            topLevelElementRanges: topLevelElementRanges)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            switch base[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// Reads the value starting at `position`; `depth` counts the containers around it.
    mutating func readValue(depth: Int) throws(JSONError) -> JSONValue {
        guard position < count else { throw unexpected(expected: "a value") }
        switch base[position] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return .null
        default:
            throw unexpected(expected: "a value")
        }
    }

    mutating func readObject(depth: Int) throws(JSONError) -> JSONValue {
        try checkDepth(depth)
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        var keyIndex: Set<CodePointKey>? = nil
        skipWhitespace()
        if position < count, base[position] == UInt8(ascii: "}") {
            position += 1
            return .object(JSONObject(members))
        }
        while true {
            guard position < count, base[position] == UInt8(ascii: "\"") else {
                throw unexpected(expected: members.isEmpty ? "a string key or '}'" : "a string key")
            }
            let keyStart = position
            let key = try readString()
            try ensureUnique(key, among: members, index: &keyIndex, at: keyStart)
            skipWhitespace()
            guard position < count, base[position] == UInt8(ascii: ":") else {
                throw unexpected(expected: "':' after the key")
            }
            position += 1
            skipWhitespace()
            let valueStart = position
            let value = try readValue(depth: depth)
            if depth == 1 { topLevelMemberRanges.append(valueStart..<position) }
            members.append((key: key, value: value))
            skipWhitespace()
            guard position < count else { throw unexpected(expected: "',' or '}'") }
            if base[position] == UInt8(ascii: ",") {
                position += 1
                skipWhitespace()
            } else if base[position] == UInt8(ascii: "}") {
                position += 1
                return .object(JSONObject(members))
            } else {
                throw unexpected(expected: "',' or '}'")
            }
        }
    }

    /// Refuses a key already present; small objects scan, large ones switch to a hash set.
    private func ensureUnique(
        _ key: String, among members: [(key: String, value: JSONValue)],
        index: inout Set<CodePointKey>?, at offset: Int
    ) throws(JSONError) {
        let isDuplicate: Bool
        if index == nil, members.count < 16 {
            isDuplicate = members.contains { sameCodePoints($0.key, key) }
        } else {
            if index == nil { index = Set(members.map { CodePointKey($0.key) }) }
            isDuplicate = !index!.insert(CodePointKey(key)).inserted
        }
        if isDuplicate {
            throw JSONError(
                .duplicateKey, at: offset,
                message: "duplicate key \(JSONString.quoted(key)) at byte \(offset)")
        }
    }

    mutating func readArray(depth: Int) throws(JSONError) -> JSONValue {
        try checkDepth(depth)
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < count, base[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            let valueStart = position
            elements.append(try readValue(depth: depth))
            if depth == 1 { topLevelElementRanges.append(valueStart..<position) }
            skipWhitespace()
            guard position < count else { throw unexpected(expected: "',' or ']'") }
            if base[position] == UInt8(ascii: ",") {
                position += 1
                skipWhitespace()
            } else if base[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            } else {
                throw unexpected(expected: "',' or ']'")
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(JSONError) {
        if depth > maximumDepth {
            throw JSONError(
                .nestingTooDeep, at: position,
                message: "nesting deeper than \(maximumDepth) at byte \(position)")
        }
    }

    mutating func readNumber() throws(JSONError) -> JSONNumber {
        let start = position
        position = try JSONNumberGrammar.scan(base, from: start, count: count)
        let literal = String(
            decoding: UnsafeBufferPointer(start: base + start, count: position - start), as: UTF8.self)
        return JSONNumber(uncheckedLiteral: literal)
    }

    mutating func readLiteral(_ word: StaticString) throws(JSONError) {
        let expected = word.utf8Start
        for index in 0..<word.utf8CodeUnitCount {
            guard position < count, base[position] == expected[index] else {
                throw unexpected(expected: "'\(word)'")
            }
            position += 1
        }
    }

    /// The error for whatever sits at `position`: end of input, invalid UTF-8, or a wrong character.
    func unexpected(expected: String, kind: JSONError.Kind = .unexpectedCharacter) -> JSONError {
        unexpectedByte(at: position, expected: expected, kind: kind)
    }

    func unexpectedByte(at offset: Int, expected: String, kind: JSONError.Kind = .unexpectedCharacter)
        -> JSONError
    {
        guard offset < count else {
            return JSONError(
                .unexpectedEndOfInput, at: offset,
                message: "unexpected end of input at byte \(offset): expected \(expected)")
        }
        let byte = base[offset]
        let shown: String
        if byte >= 0x80 {
            guard let length = utf8SequenceLength(at: offset) else {
                return JSONError(.invalidUTF8, at: offset, message: "invalid UTF-8 at byte \(offset)")
            }
            let scalarText = String(
                decoding: UnsafeBufferPointer(start: base + offset, count: length), as: UTF8.self)
            shown = "'\(scalarText)'"
        } else if byte < 0x20 || byte == 0x7F {
            shown = "U+" + String(byte, radix: 16, uppercase: true).leftPadded(to: 4)
        } else {
            shown = "'\(Character(Unicode.Scalar(byte)))'"
        }
        return JSONError(
            kind, at: offset, message: "unexpected character \(shown) at byte \(offset): expected \(expected)"
        )
    }
}

/// A dictionary key that hashes and compares by UTF-8 bytes rather than canonical equivalence.
struct CodePointKey: Hashable {
    let text: String
    init(_ text: String) { self.text = text }
    static func == (lhs: CodePointKey, rhs: CodePointKey) -> Bool { sameCodePoints(lhs.text, rhs.text) }
    func hash(into hasher: inout Hasher) {
        let hashedContiguously: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashedContiguously == nil {
            Array(text.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}

extension String {
    /// The string padded on the left with zeros to at least `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
