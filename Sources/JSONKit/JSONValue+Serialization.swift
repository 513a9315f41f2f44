/// Compact serialisation of ``JSONValue``.
extension JSONValue {
    /// The value as compact JSON text: no whitespace, object keys in stored order, numbers as
    /// their exact literals, strings escaped by ``JSONString``.
    ///
    /// Parsing a document and serialising it reproduces the input minus insignificant whitespace
    /// (escapes are normalised: `"\u0041"` is written back as `"A"`).
    public func serialized() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// The compact JSON text as UTF-8 bytes; see ``serialized()``.
    public func serializedBytes() -> [UInt8] {
        var output: [UInt8] = []
        appendSerialized(to: &output)
        return output
    }

    /// Appends the compact JSON text to a UTF-8 byte buffer; see ``serialized()``.
    public func appendSerialized(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let number): output.append(contentsOf: number.literal.utf8)
        case .string(let string): JSONString.appendQuoted(string, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.appendSerialized(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONString.appendQuoted(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.appendSerialized(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}
