/// One step into a JSON value: an object member or an array element.
///
/// Sendable: an immutable value.
public enum JSONPathComponent: Sendable, Hashable, CustomStringConvertible {
    /// The member with this key.
    case key(String)
    /// The element at this zero-based index.
    case index(Int)

    public var description: String { [self].pathDescription }
}

extension Collection where Element == JSONPathComponent {
    /// A readable rendering such as `lines[0].unitPrice` or `meta["weird key"]`.
    ///
    /// Keys that are identifiers (`[A-Za-z_][A-Za-z0-9_]*`) are joined with dots; any other key
    /// is written as a quoted JSON string in brackets. The empty path renders as `""`.
    public var pathDescription: String {
        var text = ""
        for component in self {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key) where isIdentifier(key):
                text += text.isEmpty ? key : ".\(key)"
            case .key(let key):
                text += "[\(JSONString.quoted(key))]"
            }
        }
        return text
    }
}

private func isIdentifier(_ key: String) -> Bool {
    guard let first = key.utf8.first, first == UInt8(ascii: "_") || isASCIILetter(first) else { return false }
    return key.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isASCIILetter($0) || isASCIIDigit($0) }
}

private func isASCIILetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
}

private func isASCIIDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}
