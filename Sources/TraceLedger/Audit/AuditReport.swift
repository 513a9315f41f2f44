import JSONKit

/// One change to money as the audit report lists it.
///
/// Sendable: plain values.
public struct AuditEntry: Sendable, Equatable {
    public let position: UInt64
    public let occurredAt: Timestamp
    public let recordedAt: Timestamp
    public let actor: String
    public let origin: String
    public let domain: Domain
    public let entityId: String
    public let type: String
    /// The amount the event moved or stated: a payment's or credit note's amount, an order's or invoice's
    /// grand total.
    public let amount: Money
    public let currency: String
    public let traceId: String
    /// The event's hash in the chain.
    public let hash: ChainHash
}

/// Totals of one event type in one currency.
///
/// Sendable: plain values.
public struct AuditTotal: Sendable, Equatable {
    public let currency: String
    public let type: String
    public let count: Int
    public let amount: Money
}

/// Which money events the audit report covers.
///
/// Sendable: plain values.
public struct AuditQuery: Sendable {
    /// Only these domains (order, payment, invoice); nil for all three.
    public var domains: Set<Domain>?
    /// Events that occurred at or after this time.
    public var from: Timestamp?
    /// Events that occurred before this time.
    public var until: Timestamp?
    public var actor: String?
    public var origin: String?

    public init(
        domains: Set<Domain>? = nil, from: Timestamp? = nil, until: Timestamp? = nil, actor: String? = nil,
        origin: String? = nil
    ) {
        self.domains = domains
        self.from = from
        self.until = until
        self.actor = actor
        self.origin = origin
    }
}

/// The financial audit report: every change to money with who, where and when, totals, and proof that the
/// log it was read from is unaltered.
///
/// Sendable: plain values.
public struct AuditReport: Sendable {
    public let entries: [AuditEntry]
    /// Per currency, then per type, in that order.
    public let totals: [AuditTotal]
    /// The hash chain from position 1 through the last entry's position, walked while making the report; nil
    /// when the report is empty (nothing to vouch for).
    public let verification: VerificationResult?

    /// The event types that change money, and the payload member holding the amount.
    public static let amountMember: [String: String] = [
        "order.created": "grandTotal", "order.updated": "grandTotal", "payment.authorized": "amount",
        "payment.captured": "amount", "payment.refunded": "amount", "invoice.posted": "grandTotal",
        "invoice.paid": "amount", "invoice.credited": "amount",
    ]

    /// Per currency with captures in the report: captured minus refunded, the money actually kept.
    public var netCollected: [(currency: String, amount: Money)] {
        Set(totals.filter { $0.type == "payment.captured" }.map(\.currency)).sorted().map { currency in
            let sum = { (type: String) in
                totals.first { $0.currency == currency && $0.type == type }?.amount ?? .zero
            }
            return (currency, sum("payment.captured") - sum("payment.refunded"))
        }
    }

    /// Reads every money event `query` matches, in log order, then verifies the chain through the last one.
    ///
    /// The time bounds match occurredAt (when the change happened in its system), so a report of November
    /// covers November's imported history too. A refund or invoice payment that names no currency takes its
    /// payment's or invoice's currency from the projections (call `catchUp()` first).
    public static func make(_ query: AuditQuery, projections: ProjectionEngine) throws -> AuditReport {
        let domains = query.domains ?? [.order, .payment, .invoice]
        var entries: [AuditEntry] = []
        try projections.ledger.forEachEvent(matching: EventQuery(domains: domains, actor: query.actor)) {
            event in
            guard let member = amountMember[event.type] else { return true }
            if let origin = query.origin, event.origin != origin { return true }
            if let from = query.from, event.occurredAt < from { return true }
            if let until = query.until, event.occurredAt >= until { return true }
            let parsed = ProjectionEvent(event)
            guard let amount = parsed.money(member) else { return true }  // order.updated without new totals
            let currency = try parsed.string("currency") ?? knownCurrency(of: parsed, projections) ?? "???"
            entries.append(
                AuditEntry(
                    position: event.position, occurredAt: event.occurredAt, recordedAt: event.recordedAt,
                    actor: event.actor, origin: event.origin, domain: event.domain, entityId: event.entityId,
                    type: event.type, amount: amount, currency: currency, traceId: event.traceId,
                    hash: event.hash))
            return true
        }
        var sums: [String: [String: (count: Int, amount: Money)]] = [:]
        for entry in entries {
            let current = sums[entry.currency, default: [:]][entry.type] ?? (0, .zero)
            sums[entry.currency, default: [:]][entry.type] = (
                current.count + 1, current.amount + entry.amount
            )
        }
        let totals = sums.keys.sorted().flatMap { currency in
            sums[currency]!.keys.sorted().map { type in
                AuditTotal(
                    currency: currency, type: type, count: sums[currency]![type]!.count,
                    amount: sums[currency]![type]!.amount)
            }
        }
        let verification = try entries.last.map { try projections.ledger.verify(through: $0.position) }
        return AuditReport(entries: entries, totals: totals, verification: verification)
    }

    /// The currency of the order, payment or invoice an event belongs to, from its projection.
    private static func knownCurrency(of event: ProjectionEvent, _ projections: ProjectionEngine) throws
        -> String?
    {
        let state = try projections.state(of: StreamKey(domain: event.domain, entityId: event.entityId))
        return state?.fields["currency"]?.stringValue
    }
}
