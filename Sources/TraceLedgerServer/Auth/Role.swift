/// What a bearer token may do. Each route needs one role; a token carries any set of them.
public enum Role: String, Sendable, CaseIterable, Comparable {
    /// Post events.
    case ingest
    /// Read traces, streams, events, state and the live tail.
    case read
    /// Read the audit report, reconcile, verify and stats.
    case audit
    /// Work with consumers and their dead letters (overrides are recorded with the token's name as actor).
    case operate

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
