/// String reading and UTF-8 validation for ``JSONReader``.
///
/// Swift's `String(decoding:as:)` silently replaces invalid UTF-8 with U+FFFD; a ledger must not
/// store a repaired text, so every multi-byte sequence is checked here before any `String` is made.
extension JSONReader {
    /// Reads the string whose opening quote is at `position` and leaves `position` after its
    /// closing quote.
    mutating func readString() throws(JSONError) -> String {
        let start = position + 1
        var cursor = start
        // Fast path: no escapes. Scan ASCII quickly; validate multi-byte sequences in place.
        while cursor < count {
            let byte = base[cursor]
            if byte == UInt8(ascii: "\"") {
                position = cursor + 1
                return String(
                    decoding: UnsafeBufferPointer(start: base + start, count: cursor - start), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw controlCharacter(at: cursor) }
            if byte < 0x80 {
                cursor += 1
            } else {
                guard let length = utf8SequenceLength(at: cursor) else { throw invalidUTF8(at: cursor) }
                cursor += length
            }
        }
        guard cursor < count else { throw unterminatedString(from: position) }
        return try readEscapedString(start: start, firstEscape: cursor)
    }

    /// Slow path: copies the bytes before the first escape, then decodes escapes as they come.
    private mutating func readEscapedString(start: Int, firstEscape: Int) throws(JSONError) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(firstEscape - start + 16)
        decoded.append(contentsOf: UnsafeBufferPointer(start: base + start, count: firstEscape - start))
        var cursor = firstEscape
        while cursor < count {
            let byte = base[cursor]
            switch byte {
            case UInt8(ascii: "\""):
                position = cursor + 1
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                cursor = try decodeEscape(at: cursor, into: &decoded)
            case 0..<0x20:
                throw controlCharacter(at: cursor)
            case 0..<0x80:
                decoded.append(byte)
                cursor += 1
            default:
                guard let length = utf8SequenceLength(at: cursor) else { throw invalidUTF8(at: cursor) }
                decoded.append(contentsOf: UnsafeBufferPointer(start: base + cursor, count: length))
                cursor += length
            }
        }
        throw unterminatedString(from: start - 1)
    }

    /// Decodes the escape whose backslash is at `offset`, returning the offset just after it.
    private func decodeEscape(at offset: Int, into decoded: inout [UInt8]) throws(JSONError) -> Int {
        guard offset + 1 < count else { throw unterminatedString(from: offset) }
        let simple: UInt8
        switch base[offset + 1] {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            return try decodeUnicodeEscape(at: offset, into: &decoded)
        default:
            throw JSONError(
                .invalidEscape, at: offset,
                message:
                    "invalid escape at byte \(offset): expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
            )
        }
        decoded.append(simple)
        return offset + 2
    }

    /// Decodes `\uXXXX`, pairing a high surrogate with the low surrogate that must follow it.
    private func decodeUnicodeEscape(at offset: Int, into decoded: inout [UInt8]) throws(JSONError) -> Int {
        let first = try hexQuad(at: offset + 2)
        var scalarValue = UInt32(first)
        var end = offset + 6
        if (0xDC00...0xDFFF).contains(first) {
            throw loneSurrogate(first, at: offset)
        }
        if (0xD800...0xDBFF).contains(first) {
            guard end + 1 < count, base[end] == UInt8(ascii: "\\"), base[end + 1] == UInt8(ascii: "u") else {
                throw loneSurrogate(first, at: offset)
            }
            let second = try hexQuad(at: end + 2)
            guard (0xDC00...0xDFFF).contains(second) else { throw loneSurrogate(first, at: offset) }
            scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            end += 6
        }
        // Surrogates were excluded above, so every remaining value is a valid scalar.
        let scalar = Unicode.Scalar(scalarValue)!
        decoded.append(contentsOf: UTF8.encode(scalar)!)
        return end
    }

    private func hexQuad(at offset: Int) throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for index in offset..<offset + 4 {
            guard index < count else { throw unterminatedString(from: offset) }
            let byte = base[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw JSONError(
                    .invalidEscape, at: offset - 2,
                    message: "invalid \\u escape at byte \(offset - 2): expected 4 hexadecimal digits")
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence starting at `offset`, or `nil`.
    ///
    /// Follows the Unicode table of well-formed byte sequences, so overlong encodings
    /// (`C0 AF`), encoded surrogates (`ED A0 80`) and values above U+10FFFF are refused.
    func utf8SequenceLength(at offset: Int) -> Int? {
        let lead = base[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: return nil
        }
        guard offset + length <= count, secondRange.contains(base[offset + 1]) else { return nil }
        for index in offset + 2..<offset + length where base[index] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }

    private func invalidUTF8(at offset: Int) -> JSONError {
        JSONError(.invalidUTF8, at: offset, message: "invalid UTF-8 at byte \(offset)")
    }

    private func controlCharacter(at offset: Int) -> JSONError {
        let code = "U+" + String(base[offset], radix: 16, uppercase: true).leftPadded(to: 4)
        return JSONError(
            .controlCharacterInString, at: offset,
            message: "control character \(code) at byte \(offset) must be escaped inside a string")
    }

    private func unterminatedString(from offset: Int) -> JSONError {
        JSONError(
            .unexpectedEndOfInput, at: count,
            message:
                "unexpected end of input at byte \(count): unterminated string starting at byte \(offset)")
    }

    private func loneSurrogate(_ value: UInt16, at offset: Int) -> JSONError {
        let code = String(value, radix: 16, uppercase: true)
        return JSONError(
            .invalidEscape, at: offset,
            message:
                "lone surrogate \\u\(code) at byte \(offset): a surrogate must be part of a high/low pair")
    }
}
