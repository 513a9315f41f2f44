/// The RFC 8259 number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
///
/// Shared by the parser and ``JSONNumber/init(literal:)`` so both accept exactly the same texts.
enum JSONNumberGrammar {
    /// Scans the number starting at `start` and returns the offset just past it.
    ///
    /// - Throws: ``JSONError`` with kind `.invalidNumber` (or `.unexpectedEndOfInput`) naming the
    ///   offending byte, e.g. a leading zero or a missing fraction digit.
    static func scan(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) throws(JSONError) -> Int {
        var cursor = start
        func isDigit(_ offset: Int) -> Bool {
            offset < count && base[offset] >= UInt8(ascii: "0") && base[offset] <= UInt8(ascii: "9")
        }
        func failure(_ offset: Int, _ expected: String) -> JSONError {
            if offset >= count {
                return JSONError(
                    .unexpectedEndOfInput, at: offset,
                    message: "unexpected end of input at byte \(offset): expected \(expected) in number")
            }
            return JSONError(
                .invalidNumber, at: offset, message: "invalid number at byte \(offset): expected \(expected)")
        }
        if cursor < count, base[cursor] == UInt8(ascii: "-") { cursor += 1 }
        guard isDigit(cursor) else { throw failure(cursor, "a digit") }
        if base[cursor] == UInt8(ascii: "0") {
            cursor += 1
            if isDigit(cursor) {
                throw JSONError(
                    .invalidNumber, at: cursor - 1,
                    message: "invalid number at byte \(cursor - 1): leading zeros are not allowed")
            }
        } else {
            while isDigit(cursor) { cursor += 1 }
        }
        if cursor < count, base[cursor] == UInt8(ascii: ".") {
            cursor += 1
            guard isDigit(cursor) else { throw failure(cursor, "a digit after '.'") }
            while isDigit(cursor) { cursor += 1 }
        }
        if cursor < count, base[cursor] == UInt8(ascii: "e") || base[cursor] == UInt8(ascii: "E") {
            cursor += 1
            if cursor < count, base[cursor] == UInt8(ascii: "+") || base[cursor] == UInt8(ascii: "-") {
                cursor += 1
            }
            guard isDigit(cursor) else { throw failure(cursor, "a digit in the exponent") }
            while isDigit(cursor) { cursor += 1 }
        }
        return cursor
    }

    /// Whether `bytes` is exactly one JSON number and nothing else.
    static func isNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        do {
            return try scan(base, from: 0, count: bytes.count) == bytes.count
        } catch {
            return false  // Not a number: exactly the answer the caller asked for.
        }
    }
}
