/// Something reconciliation found wrong: how bad, where, why in one line, and the positions that prove it.
///
/// Sendable: plain values.
public struct Finding: Sendable, Equatable {
    /// How urgent a finding is; `critical` sorts first.
    public enum Severity: String, Sendable, CaseIterable, Comparable {
        /// Money taken with no order behind it in the ERP.
        case critical
        /// Books that disagree: invoices, credit notes, stock.
        case high
        /// Housekeeping: duplicates, stalled orders, events the projections could not apply.
        case medium

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public let severity: Severity
    /// The rule that found it, e.g. `paid-not-accepted`; see `Reconciler.rules`.
    public let rule: String
    public let domain: Domain
    public let entityId: String
    public let traceId: String
    /// One line a person can act on.
    public let reason: String
    /// Positions of the events that show it, ascending.
    public let evidence: [UInt64]

    public init(
        severity: Severity, rule: String, domain: Domain, entityId: String, traceId: String, reason: String,
        evidence: [UInt64]
    ) {
        self.severity = severity
        self.rule = rule
        self.domain = domain
        self.entityId = entityId
        self.traceId = traceId
        self.reason = reason
        self.evidence = evidence.sorted()
    }
}
