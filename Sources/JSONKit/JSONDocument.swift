/// A parsed JSON text: its value plus where each top-level member's value sits in the input.
///
/// The byte ranges let a caller slice the original bytes of one member (say, an event's
/// `payload`) and store them byte-exact, without re-serialising.
///
/// Sendable: an immutable value.
public struct JSONDocument: Sendable {
    /// The parsed value.
    public let value: JSONValue

    /// For a top-level object, the byte range of each member's value, parallel to its members.
    let topLevelMemberRanges: [Range<Int>]
    /// For a top-level array, the byte range of each element.
    let topLevelElementRanges: [Range<Int>]

    init(value: JSONValue, topLevelMemberRanges: [Range<Int>], topLevelElementRanges: [Range<Int>] = []) {
        self.value = value
        self.topLevelMemberRanges = topLevelMemberRanges
        self.topLevelElementRanges = topLevelElementRanges
    }

    /// For a top-level array, the byte offsets of each element in the parsed input (without surrounding
    /// whitespace); empty otherwise.
    public var elementByteRanges: [Range<Int>] { topLevelElementRanges }

    /// The byte offsets, in the parsed input, of the value of the top-level member `key`.
    ///
    /// The range covers the value only: from its first byte (`{`, `[`, `"`, a digit...) to just
    /// past its last, without surrounding whitespace. Returns `nil` when the top level is not an
    /// object or has no such member.
    ///
    /// ```swift
    /// let bytes = Array(#"{"id": 7, "payload": {"a": [1, 2]}}"#.utf8)
    /// let document = try JSONParser.parse(bytes)
    /// let range = document.byteRange(ofMember: "payload")!  // 21..<35
    /// String(decoding: bytes[range], as: UTF8.self)          // {"a": [1, 2]}
    /// ```
    public func byteRange(ofMember key: String) -> Range<Int>? {
        guard case .object(let object) = value, let index = object.index(ofKey: key) else { return nil }
        return topLevelMemberRanges[index]
    }
}
