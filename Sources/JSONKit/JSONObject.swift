/// A JSON object: members in the order they were written, looked up by key.
///
/// Keys are compared by Unicode code points (RFC 8259 §8.3), not by Swift's canonical
/// equivalence, so `"é"` and `"e\u{301}"` are different keys. Equality ignores member order, as
/// JSON semantics require. Parsed objects never contain duplicate keys (the parser rejects them).
///
/// Sendable: an immutable value made of Sendable parts.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The members in stored order.
    public private(set) var members: [(key: String, value: JSONValue)]

    /// Creates an object from members in the given order.
    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.members = elements.map { (key: $0.0, value: $0.1) }
    }

    /// The keys in stored order.
    public var keys: [String] { members.map(\.key) }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The value stored under `key`, or `nil` when the object has no such member.
    ///
    /// Setting a value replaces an existing member in place or appends a new one; setting `nil`
    /// removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(ofKey: key) else { return nil }
            return members[index].value
        }
        set {
            let existing = index(ofKey: key)
            switch (existing, newValue) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append((key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// The position of `key` in ``members``, comparing code points.
    public func index(ofKey key: String) -> Int? {
        members.firstIndex { sameCodePoints($0.key, key) }
    }

    /// Equal when both hold the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }
}

/// Whether two strings hold the same Unicode code points (byte-equal UTF-8).
///
/// Swift's `==` treats canonically equivalent strings as equal; JSON does not.
func sameCodePoints(_ lhs: String, _ rhs: String) -> Bool {
    guard lhs.utf8.count == rhs.utf8.count else { return false }
    // Native and small strings lend their UTF-8 contiguously, compared as plain bytes: the walk of two UTF-8
    // views below was a measurable part of a projection rebuild, whose folds look up payload members by key.
    if let same = lhs.utf8.withContiguousStorageIfAvailable({ left in
        rhs.utf8.withContiguousStorageIfAvailable { right in left.elementsEqual(right) }
    }), let same {
        return same
    }
    return lhs.utf8.elementsEqual(rhs.utf8)
}
