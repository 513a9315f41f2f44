/// Local JSON pointers (RFC 6901) as used in `$ref` fragments and schema locations.
enum JSONPointer {
    /// The reference tokens of a `$ref` that is a URI fragment (`#`, `#/$defs/x`), after
    /// percent-decoding and `~1`/`~0` unescaping; `nil` when it is not a pointer fragment.
    static func tokens(ofFragmentReference reference: String) -> [String]? {
        guard reference.hasPrefix("#") else { return nil }
        guard let pointer = percentDecoded(String(reference.dropFirst())) else { return nil }
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingAll("~1", with: "/").replacingAll("~0", with: "~")
        }
    }

    /// The fragment form of `tokens`, e.g. `#/properties/a~1b`.
    static func fragment(_ tokens: [String]) -> String {
        "#" + tokens.map { "/" + $0.replacingAll("~", with: "~0").replacingAll("/", with: "~1") }.joined()
    }

    /// The value `tokens` points at inside `root`, or `nil` when there is none.
    static func resolve(_ tokens: [String], in root: JSONValue) -> JSONValue? {
        var current = root
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = arrayIndex(token), index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// A decimal array index without leading zeros, per RFC 6901.
    private static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token == "0" || !token.hasPrefix("0") else { return nil }
        guard token.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int(token)
    }

    /// Decodes `%XX` sequences; `nil` when an escape is malformed or yields invalid UTF-8.
    private static func percentDecoded(_ text: String) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
            else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension StringProtocol {
    /// A copy with every occurrence of `target` replaced, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return String(self) }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
