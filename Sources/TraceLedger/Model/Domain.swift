/// The business area an event belongs to; each has its own event types and projection.
public enum Domain: String, Sendable, CaseIterable, Codable, Comparable {
    case order, payment, stock, invoice, customer
    /// The ledger's own operations (a replay started, a dead letter retried), so the audit covers the tool.
    case ledger

    public static func < (lhs: Domain, rhs: Domain) -> Bool { lhs.rawValue < rhs.rawValue }
}
