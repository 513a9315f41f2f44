import JSONKit

/// One ledger event a provider's payload means, before it is built into an envelope and validated.
///
/// Sendable: plain values.
struct MappedEvent: Sendable {
    /// `domain.verb`; the domain is its prefix.
    var type: String
    var entityId: String
    /// RFC 3339, from the payload (so every redelivery maps to the same event).
    var occurredAt: String
    /// The person the payload names, else nil (the delivery's service actor).
    var actor: String?
    var payload: JSONObject
}

/// A payload the mapping cannot turn into ledger events (a field it needs is missing): the delivery is kept
/// as `ledger.webhook_unmapped` with this reason, never refused, so the provider does not retry for ever.
struct MappingGap: Error, Sendable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Reading a provider's JSON: ids stay their exact digits, amounts their exact text.
extension JSONValue {
    /// A string member's text.
    func text(_ key: String) -> String? {
        guard case .string(let text)? = self[key], !text.isEmpty else { return nil }
        return text
    }

    /// An id, numeric (digits kept exactly: Shopify's exceed 2^53) or text.
    func id(_ key: String) -> String? {
        switch self[key] {
        case .number(let number)? where number.isInteger: number.literal
        case .string(let text)? where !text.isEmpty: text
        default: nil
        }
    }

    /// An integer member as its JSON number, unchanged.
    func integer(_ key: String) -> JSONNumber? {
        guard case .number(let number)? = self[key], number.isInteger else { return nil }
        return number
    }

    /// The member, or a gap naming it.
    func required<T>(_ key: String, _ read: (String) -> T?, in what: String) throws(MappingGap) -> T {
        guard let value = read(key) else { throw MappingGap("\(what) has no \(key)") }
        return value
    }
}
