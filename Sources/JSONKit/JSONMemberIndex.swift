/// The top-level members of a JSON object text, found without building their values: each member's key and
/// the bytes of its value, which is parsed only when asked for. For readers that want a few members of a larger
/// object, many times over (a projection rebuild reads three or four members of each event's payload).
///
/// The text is expected to be valid JSON, checked when it was accepted (the ledger validates every payload).
/// The index only skips over values; a text that is not an object gives nil, and a malformed one gives nil or
/// members that `JSONParser` would have refused, never a crash. Keys compare by code points, as in
/// ``JSONObject``, escaped ones included.
///
/// Sendable: an immutable value.
public struct JSONMemberIndex: Sendable {
    /// The object's text.
    public let bytes: [UInt8]
    private let members: [IndexedMember]

    /// Indexes `bytes`, or nil when they are not a JSON object.
    public init?(_ bytes: [UInt8]) {
        let found = bytes.withUnsafeBufferPointer { buffer -> [IndexedMember]? in
            var scanner = MemberScanner(bytes: buffer)
            return scanner.members()
        }
        guard let found else { return nil }
        self.bytes = bytes
        members = found
    }

    /// The byte range of the value of member `key`, or nil when there is none.
    public func valueRange(of key: String) -> Range<Int>? {
        var key = key
        return key.withUTF8 { wanted in
            for member in members where member.keyIsEscaped || member.key.count == wanted.count {
                if member.keyIsEscaped {
                    let quoted = (member.key.lowerBound - 1)..<(member.key.upperBound + 1)
                    if let decoded = parse(quoted)?.stringValue,
                        sameCodePoints(decoded, String(decoding: wanted, as: UTF8.self))
                    {
                        return member.value
                    }
                } else if bytes.withUnsafeBufferPointer({
                    UnsafeBufferPointer(rebasing: $0[member.key]).elementsEqual(wanted)
                }) {
                    return member.value
                }
            }
            return nil
        }
    }

    /// The value of member `key`, parsed, or nil when there is none.
    public subscript(key: String) -> JSONValue? {
        valueRange(of: key).flatMap { parse($0) }
    }

    /// The whole object, parsed.
    public var value: JSONValue? { parse(bytes.indices) }

    private func parse(_ range: Range<Int>) -> JSONValue? {
        bytes.withUnsafeBytes { raw in
            try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: raw[range])).value
        }
    }
}

/// One member of an indexed object.
private struct IndexedMember: Sendable {
    /// The key's bytes between its quotes, as written.
    let key: Range<Int>
    /// Whether the key holds an escape, so that its bytes are not its code points.
    let keyIsEscaped: Bool
    let value: Range<Int>
}

/// Walks an object's top level, skipping over each value: a string to its closing quote past escapes, an array or
/// object to its matching bracket (strings inside skipped whole), anything else to the next delimiter.
private struct MemberScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The members of the object the bytes hold, or nil when they hold no object.
    mutating func members() -> [IndexedMember]? {
        var found: [IndexedMember] = []
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        if take(UInt8(ascii: "}")) { return atEnd() ? found : nil }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
            let keyStart = position + 1
            var escaped = false
            guard skipString(escaped: &escaped) else { return nil }
            let key = keyStart..<(position - 1)
            skipWhitespace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipWhitespace()
            let valueStart = position
            guard skipValue() else { return nil }
            found.append(IndexedMember(key: key, keyIsEscaped: escaped, value: valueStart..<position))
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { return nil }
            return atEnd() ? found : nil
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func atEnd() -> Bool {
        skipWhitespace()
        return position == bytes.count
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// From an opening quote to just past the closing one; `escaped` tells whether an escape came between.
    private mutating func skipString(escaped: inout Bool) -> Bool {
        position += 1
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                position += 1
                return true
            case UInt8(ascii: "\\"):
                escaped = true
                position += 2
            default:
                position += 1
            }
        }
        return false
    }

    private mutating func skipValue() -> Bool {
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            var escaped = false
            return skipString(escaped: &escaped)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\""):
                    var escaped = false
                    guard skipString(escaped: &escaped) else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        position += 1
                        return true
                    }
                default: break
                }
                position += 1
            }
            return false
        default:
            // A number or a literal: up to the next delimiter.
            let start = position
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09:
                    return position > start
                default: position += 1
                }
            }
            return position > start
        }
    }
}
