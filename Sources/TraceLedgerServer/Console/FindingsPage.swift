import Foundation
import Hummingbird
import JSONKit
import TraceLedger

/// Reconciliation findings by severity and rule, with counts and the money at stake per currency, each
/// linking to its trace; filtered by rule, severity and time (`?rule=&severity=&from=&until=`, the URL is
/// the state). The findings are the ones `GET /v1/reconcile` reports.
struct FindingsPage: Sendable {
    let ledger: Ledger
    let projections: ProjectionEngine

    func page(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let parameters = request.uri.queryParameters
        let rule = parameters["rule"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let severity = parameters["severity"].flatMap { Finding.Severity(rawValue: String($0)) }
        let from = parameters["from"].flatMap { Timestamp(rfc3339: Self.fullTime(String($0))) }
        let until = parameters["until"].flatMap { Timestamp(rfc3339: Self.fullTime(String($0))) }
        try await projections.catchUp()
        let report = try Reconciler().reconcile(projections)
        // Each finding with when it happened and what it puts at stake, read from the events that show it.
        let located = try ledger.read { snapshot in
            try report.findings.map { finding -> (Finding, Timestamp?, (String, Decimal)?) in
                let evidence = try finding.evidence.compactMap { try snapshot.event(at: $0) }
                return (finding, evidence.last?.content.occurredAt, Self.money(in: evidence))
            }
        }
        let shown = located.filter { finding, time, _ in
            (rule == nil || finding.rule == rule) && (severity == nil || finding.severity == severity)
                && (from == nil || (time.map { $0 >= from! } ?? false))
                && (until == nil || (time.map { $0 < until! } ?? false))
        }
        var summary = ""
        for (name, level) in Reconciler.rules {
            let matching = shown.filter { $0.0.rule == name }
            guard !matching.isEmpty else { continue }
            var totals: [String: Decimal] = [:]
            for case (_, _, let (currency, amount)?) in matching { totals[currency, default: 0] += amount }
            let money = totals.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            summary += """
                <tr><td class="sev-\(level.rawValue)">\(level.rawValue)</td>\
                <td>\(HTML.link("/findings?rule=\(HTML.component(name))", name))</td><td>\(matching.count)</td>\
                <td>\(HTML.escape(money.isEmpty ? "—" : money))</td></tr>
                """
        }
        var rows = ""
        for (finding, time, money) in shown {
            let trace = "/traces/\(HTML.component(finding.traceId))"
                + (finding.evidence.last.map { "?event=\($0)#event" } ?? "")
            rows += """
                <tr class="finding-row" data-rule="\(HTML.escape(finding.rule))">\
                <td class="sev-\(finding.severity.rawValue)">\(finding.severity.rawValue)</td>\
                <td>\(HTML.escape(finding.rule))</td><td>\(time.map(HTML.time) ?? "")</td>\
                <td>\(HTML.escape("\(finding.domain.rawValue)/\(finding.entityId)"))</td>\
                <td>\(HTML.escape(money.map { "\($0.1) \($0.0)" } ?? ""))</td>\
                <td>\(HTML.escape(finding.reason))</td><td>\(HTML.link(trace, "trace"))</td></tr>
                """
        }
        let ruleOptions = ([""] + Reconciler.rules.map(\.rule)).map {
            "<option value=\"\(HTML.escape($0))\"\($0 == (rule ?? "") ? " selected" : "")>\($0.isEmpty ? "every rule" : HTML.escape($0))</option>"
        }.joined()
        let severityOptions = ([""] + Finding.Severity.allCases.map(\.rawValue)).map {
            "<option value=\"\($0)\"\($0 == (severity?.rawValue ?? "") ? " selected" : "")>\($0.isEmpty ? "every severity" : $0)</option>"
        }.joined()
        let body = """
            <h1>Findings</h1>
            <p class="muted">Reconciled through position \(report.checkpoint)\
            \(report.now.map { "; now = latest occurredAt " + HTML.time($0) } ?? ""). \
            \(shown.count) of \(report.findings.count) findings shown.</p>
            <form method="get" action="/findings" class="panel inline">
            <label>Rule <select name="rule">\(ruleOptions)</select></label>
            <label>Severity <select name="severity">\(severityOptions)</select></label>
            <label>From <input type="text" name="from" size="22" placeholder="2026-11-02T00:00:00Z" \
            value="\(HTML.escape(parameters["from"].map(String.init) ?? ""))"></label>
            <label>Until <input type="text" name="until" size="22" \
            value="\(HTML.escape(parameters["until"].map(String.init) ?? ""))"></label>
            <button type="submit">Filter</button> \(HTML.link("/findings", "clear"))</form>
            <h2>By rule</h2><table id="finding-summary"><thead><tr><th>Severity</th><th>Rule</th><th>Findings</th>\
            <th>At stake</th></tr></thead><tbody>\(summary)</tbody></table>
            <h2>Every finding</h2><table id="findings"><thead><tr><th>Severity</th><th>Rule</th><th>When</th>\
            <th>Entity</th><th>At stake</th><th>Reason</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return HTML.response(HTML.page(title: "Findings", viewer: viewer, body: body))
    }

    /// The amount and currency of the first event among `events` that names both.
    static func money(in events: [RecordedEvent]) -> (String, Decimal)? {
        for event in events {
            guard case .object(let payload)? = try? JSONParser.parse(event.content.payload).value,
                let currency = payload["currency"]?.stringValue
            else { continue }
            for field in ["amount", "grandTotal", "total"] {
                if let text = payload[field]?.stringValue, let amount = Decimal(string: text) { return (currency, amount) }
            }
        }
        return nil
    }

    /// A date alone means its midnight, UTC.
    static func fullTime(_ text: String) -> String {
        text.count == 10 ? text + "T00:00:00Z" : text
    }
}
