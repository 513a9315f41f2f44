/// What reconciliation looked at and found.
///
/// Sendable: plain values.
public struct ReconciliationReport: Sendable {
    /// The latest occurredAt in the log: the "now" that grace periods and SLAs are measured against, so
    /// that imported history is judged by its own clock and a re-run on the same log finds the same things.
    public let now: Timestamp?
    /// The position the projections were at.
    public let checkpoint: UInt64
    /// Critical first, then high, then medium; within a severity by rule and entity.
    public let findings: [Finding]

    /// How many findings of each severity (every severity present, zeros included).
    public var countsBySeverity: [(severity: Finding.Severity, count: Int)] {
        Finding.Severity.allCases.map { severity in (severity, findings.count { $0.severity == severity }) }
    }
}

/// Checks the projections against each other and against time, answering the questions an operations or
/// finance person asks every morning.
///
/// Rules (durations are measured on occurredAt; "now" is the latest occurredAt in the log):
/// - critical `paid-not-accepted`: a payment was captured more than `gracePeriod` ago and the ERP has not
///   accepted (nor rejected, nor cancelled) the order.
/// - critical `rejected-after-capture`: the ERP rejected the order after money was captured, and it was not
///   refunded.
/// - high `invoice-mismatch`: an invoice's net, tax or grand total differs from its order's.
/// - high `refund-without-credit-note`: more was refunded than credit notes cover, `gracePeriod` after the
///   refund.
/// - high `oversold`: a stock's available quantity is below zero; names the order that took it below.
/// - medium `duplicate-customer`: customers share a normalised e-mail (trimmed, lower-cased) or VAT id and
///   were not merged.
/// - medium `stalled-order`: an open order (created or accepted) has not changed status for `sla`.
/// - medium `projection-anomaly`: an event a projection could not apply.
///
/// Sendable: it holds only Sendable values.
public struct Reconciler: Sendable {
    public var gracePeriod: TimeSpan
    public var sla: TimeSpan

    /// Every rule's name with its severity, in report order.
    public static let rules: [(rule: String, severity: Finding.Severity)] = [
        ("paid-not-accepted", .critical), ("rejected-after-capture", .critical), ("invoice-mismatch", .high),
        ("refund-without-credit-note", .high), ("oversold", .high), ("duplicate-customer", .medium),
        ("stalled-order", .medium), ("projection-anomaly", .medium),
    ]

    public init(gracePeriod: TimeSpan = .minutes(30), sla: TimeSpan = .hours(24)) {
        self.gracePeriod = gracePeriod
        self.sla = sla
    }

    /// Runs every rule over the projections as they are (call `catchUp()` first for the head).
    public func reconcile(_ projections: ProjectionEngine) throws -> ReconciliationReport {
        try projections.read { snapshot in try reconcile(snapshot, only: nil) }
    }

    /// Runs every rule for `entities` alone (a trace's, for the console's trace page): the same findings the
    /// whole report holds for them, without reading every other entity's state. Duplicate customers are
    /// still found among all customers (a duplicate's twin can be on any trace).
    public func reconcile(_ projections: ProjectionEngine, entities: Set<StreamKey>) throws -> ReconciliationReport {
        try projections.read { snapshot in try reconcile(snapshot, only: entities) }
    }

    /// Runs every rule over one snapshot of the projections, for every entity or only those of `only`.
    private func reconcile(_ snapshot: ProjectionSnapshot, only: Set<StreamKey>?) throws -> ReconciliationReport {
        let now = try snapshot.registry.clock().latestOccurredAt
        let checkpoint =
            try Domain.projected.compactMap { try snapshot.registry.entry($0)?.checkpoint }.min() ?? 0
        guard let now else { return ReconciliationReport(now: nil, checkpoint: checkpoint, findings: []) }
        /// Each state of `Fold` in `index`, or only those of `only` in `domain`.
        func states<Fold: DomainFold>(
            _: Fold.Type, _ domain: Domain, in index: ProjectionIndex, _ body: (Fold.State) throws -> Void
        )
            throws
        {
            guard let only else { return try ProjectionEngine.forEachState(Fold.self, in: index, body) }
            for key in only where key.domain == domain {
                if let state = try FoldRunner<Fold>.read(key.entityId, in: index) { try body(state) }
            }
        }
        func wanted(_ domain: Domain, _ entityId: String) -> Bool {
            only?.contains(StreamKey(domain: domain, entityId: entityId)) ?? true
        }
        var findings: [Finding] = []
        let orders = try snapshot.projection(.order)
        if let orders {
            try states(OrderFold.self, .order, in: orders) { order in findings += checkOrder(order, now: now) }
        }
        if let invoices = try snapshot.projection(.invoice) {
            try states(InvoiceFold.self, .invoice, in: invoices) { invoice in
                let order = try orders.flatMap { try FoldRunner<OrderFold>.read(invoice.orderId, in: $0) }
                if let finding = checkInvoice(invoice, against: order) { findings.append(finding) }
            }
        }
        if let stocks = try snapshot.projection(.stock) {
            try states(StockFold.self, .stock, in: stocks) { stock in
                guard stock.available < 0 else { return }
                findings.append(try oversold(stock, ledger: snapshot.ledger))
            }
        }
        if let customers = try snapshot.projection(.customer) {
            findings += try DuplicateCustomers.find(in: customers).filter { wanted(.customer, $0.entityId) }
        }
        for anomaly in try ProjectionEngine.anomalies(in: snapshot) where wanted(anomaly.projection, anomaly.entityId) {
            findings.append(
                Finding(
                    severity: .medium, rule: "projection-anomaly", domain: anomaly.projection,
                    entityId: anomaly.entityId,
                    traceId: anomaly.traceId,
                    reason: "\(anomaly.type) at position \(anomaly.position) not applied: \(anomaly.reason)",
                    evidence: [anomaly.position]))
        }
        let rank = Dictionary(uniqueKeysWithValues: Self.rules.enumerated().map { ($1.rule, $0) })
        findings.sort {
            ($0.severity, rank[$0.rule] ?? 99, $0.entityId, $0.evidence.first ?? 0)
                < ($1.severity, rank[$1.rule] ?? 99, $1.entityId, $1.evidence.first ?? 0)
        }
        return ReconciliationReport(now: now, checkpoint: checkpoint, findings: findings)
    }

    /// The order rules: paid but never accepted, rejected after capture, refund without credit note, stalled.
    func checkOrder(_ order: OrderState, now: Timestamp) -> [Finding] {
        var findings: [Finding] = []
        let currency = order.currency.map { " " + $0 } ?? ""
        func finding(_ rule: String, _ severity: Finding.Severity, _ reason: String, _ evidence: [UInt64]) {
            findings.append(
                Finding(
                    severity: severity, rule: rule, domain: .order, entityId: order.orderId,
                    traceId: order.traceId,
                    reason: reason, evidence: evidence))
        }
        var reportedUnaccepted = false
        if order.status == .created, let capturedAt = order.capturedAt, now.since(capturedAt) > gracePeriod {
            reportedUnaccepted = true
            finding(
                "paid-not-accepted", .critical,
                "\(order.captured)\(currency) captured \(now.since(capturedAt)) ago (\(capturedAt.rfc3339)) and the ERP "
                    + "never accepted the order", [order.createdPosition] + order.capturePositions)
        }
        let kept = order.captured - order.refunded
        if order.status == .rejected, kept > .zero, let firstCapture = order.capturePositions.first,
            firstCapture < order.statusPosition
        {
            finding(
                "rejected-after-capture", .critical,
                "the ERP rejected the order (\(order.reason ?? "no reason given")) after \(order.captured)\(currency) "
                    + "was captured; \(kept)\(currency) not refunded",
                order.capturePositions + [order.statusPosition])
        }
        if order.refunded > order.credited, let refundedAt = order.refundedAt,
            now.since(refundedAt) > gracePeriod
        {
            finding(
                "refund-without-credit-note", .high,
                "\(order.refunded)\(currency) refunded but credit notes cover only "
                    + "\(order.credited.scaled(like: order.refunded))\(currency)",
                order.refundPositions)
        }
        if !order.status.isFinal, !reportedUnaccepted, now.since(order.statusChangedAt) > sla {
            finding(
                "stalled-order", .medium,
                "\(order.status.rawValue) \(now.since(order.statusChangedAt)) ago (\(order.statusChangedAt.rfc3339)) "
                    + "with no status change since", [order.statusPosition])
        }
        return findings
    }

    /// The invoice rule: totals that differ from the order's.
    func checkInvoice(_ invoice: InvoiceState, against order: OrderState?) -> Finding? {
        guard let order else { return nil }  // an invoice for an unknown order is an anomaly of the orders projection
        var differences: [String] = []
        for (name, mine, theirs) in [
            ("net", invoice.netTotal, order.netTotal), ("tax", invoice.taxTotal, order.taxTotal),
            ("grand", invoice.grandTotal, order.grandTotal),
        ] {
            if let theirs, mine != theirs { differences.append("\(name) \(mine) vs \(theirs)") }
        }
        if let currency = order.currency, currency != invoice.currency {
            differences.append("currency \(invoice.currency) vs \(currency)")
        }
        guard !differences.isEmpty else { return nil }
        return Finding(
            severity: .high, rule: "invoice-mismatch", domain: .invoice, entityId: invoice.invoiceId,
            traceId: invoice.traceId,
            reason: "invoice totals differ from order \(order.orderId): "
                + differences.joined(separator: ", ")
                + " (invoice vs order)", evidence: [order.createdPosition, invoice.firstPosition])
    }

    /// The stock rule: available below zero, with the order whose reservation took it there.
    func oversold(_ stock: StockState, ledger: LedgerSnapshot) throws -> Finding {
        var trace = stock.traceId
        if let position = stock.oversoldPosition, let event = try ledger.event(at: position) {
            trace = event.traceId
        }
        let by = stock.oversoldBy.map { "; order \($0) took it below zero" } ?? ""
        return Finding(
            severity: .high, rule: "oversold", domain: .stock, entityId: stock.stockId, traceId: trace,
            reason: "available \(stock.available) (on hand \(stock.onHand), reserved \(stock.reserved))\(by)",
            evidence: stock.oversoldPosition.map { [$0] } ?? [stock.lastPosition])
    }
}
