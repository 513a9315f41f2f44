import ArgumentParser
import JSONKit
import TraceLedger

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract:
            "Find paid orders the ERP never accepted, invoices that disagree, oversold stock, and more.",
        discussion: """
            Catches the projections up first, then checks them. Critical: a payment captured more than --grace \
            ago with no order.accepted; an order the ERP rejected after capture. High: invoice totals that differ \
            from the order's; refunds with no credit note after --grace; stock available below zero. Medium: \
            duplicate customers (same trimmed, lower-cased e-mail or same VAT id); open orders with no status \
            change for --sla; events the projections could not apply.

            Durations are measured on occurredAt, and "now" is the latest occurredAt in the log (not the wall \
            clock), so imported history is judged by its own time and a re-run finds the same things.
            Exit 0 when nothing is found, 5 when there are findings (for cron and alerting).
            """)

    @OptionGroup var store: StoreOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How long the ERP and the credit notes may take (30m, 2h, 1d).", valueName: "duration"))
    var grace = TimeSpan.minutes(30)

    @Option(
        name: .long,
        help: ArgumentHelp("How long an open order may go without a status change.", valueName: "duration"))
    var sla = TimeSpan.hours(24)

    @Flag(name: .long, help: "Print NDJSON, one finding per line.")
    var json = false

    func run() async throws {
        let projections = ProjectionEngine(ledger: try store.openLedger())
        try await ProjectionProgress.catchUp(projections)
        let report = try Reconciler(gracePeriod: grace, sla: sla).reconcile(projections)
        if json {
            for finding in report.findings { print(finding.json) }
        } else {
            print(
                "reconciled through position \(report.checkpoint); now = latest occurredAt "
                    + "\(report.now?.rfc3339 ?? "(empty log)"); grace \(grace), SLA \(sla)")
            var summary = TextTable("SEVERITY", "FINDINGS")
            for (severity, count) in report.countsBySeverity { summary.add(severity.rawValue, String(count)) }
            print(summary.rendered())
            if !report.findings.isEmpty {
                var table = TextTable("SEVERITY", "RULE", "ENTITY", "TRACE", "EVIDENCE", "REASON")
                for finding in report.findings {
                    table.add(
                        finding.severity.rawValue, finding.rule,
                        "\(finding.domain.rawValue)/\(finding.entityId)",
                        finding.traceId, finding.evidence.map(String.init).joined(separator: ","),
                        finding.reason)
                }
                print("\n" + table.rendered())
            }
        }
        if !report.findings.isEmpty { throw ExitCode(ExitStatus.needsAttention) }
    }
}
