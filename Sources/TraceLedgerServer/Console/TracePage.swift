import Foundation
import Hummingbird
import TraceLedger

/// One trace on one screen: the timeline by system, the reconciliation findings where they belong, every
/// event with its position, hash and whether the latest signed checkpoint covers it, and the selected
/// event's envelope, payload and raw webhook body.
struct TracePage: Sendable {
    let ledger: Ledger
    let projections: ProjectionEngine

    func page(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let traceId = try context.parameter("traceId")
        let events = try ledger.events(forTrace: traceId)
        guard !events.isEmpty else { throw APIError.notFound("no events in trace \(traceId)") }
        let selected = request.uri.queryParameters["event"].flatMap { UInt64(String($0)) }
        // The findings `GET /v1/reconcile` reports for this trace's entities. Reading them needs `audit`.
        var findings: [Finding] = []
        var now: Timestamp?
        if viewer.may(.audit) {
            try await projections.catchUp()
            let report = try Reconciler().reconcile(projections, entities: Set(events.map(\.content.streamKey)))
            findings = report.findings.filter { $0.traceId == traceId }
            now = report.now
        }
        let checkpointSize = try ledger.latestCheckpoint().flatMap { try? Checkpoint(text: $0).size }
        let head = try ledger.head()
        let first = events.map(\.content.occurredAt).min()!
        let last = events.map(\.content.occurredAt).max()!
        let base = "/traces/\(HTML.component(traceId))"
        let timeline = TraceTimeline.svg(events, findings: findings, now: now, selected: selected) { "\(base)?event=\($0)#event" }
        var findingList = ""
        if !findings.isEmpty {
            findingList = "<h2>Findings on this trace</h2><table><thead><tr><th>Severity</th><th>Rule</th>"
                + "<th>Entity</th><th>Reason</th><th>Evidence</th></tr></thead><tbody>"
            for finding in findings {
                let evidence = finding.evidence.map { HTML.link("\(base)?event=\($0)#event", "#\($0)") }
                findingList += """
                    <tr class="finding-row"><td class="sev-\(finding.severity.rawValue)">\(finding.severity.rawValue)</td>\
                    <td>\(HTML.escape(finding.rule))</td><td>\(HTML.escape("\(finding.domain.rawValue)/\(finding.entityId)"))</td>\
                    <td>\(HTML.escape(finding.reason))</td><td>\(evidence.joined(separator: " "))</td></tr>
                    """
            }
            findingList += "</tbody></table>"
        } else if !viewer.may(.audit) {
            findingList = "<p class=\"muted\">Reconciliation findings need the audit role.</p>"
        } else {
            findingList = "<p class=\"ok\">No reconciliation findings on this trace.</p>"
        }
        let detail = try selected.flatMap { position in events.first { $0.position == position } }.map {
            try details(of: $0, checkpointSize: checkpointSize, head: head.position)
        } ?? "<p class=\"muted\">Select an event on the timeline or in the table to see its envelope and payload.</p>"
        let orders = request.uri.queryParameters["order"].map { " · order \(HTML.escape(String($0)))" } ?? ""
        let body = """
            <h1>Trace <span class="mono">\(HTML.escape(traceId))</span></h1>
            <p class="muted">\(events.count) events from \(Set(events.map { Lane.of($0.content.origin) }).count) systems, \
            \(HTML.time(first)) to \(HTML.time(last))\(orders)</p>
            <div class="timeline">\(timeline)</div>
            \(findingList)
            <h2 id="event">Event</h2><div class="panel">\(detail)</div>
            <h2>Events, in log order</h2>\(EventTable.html(events, selected: selected, checkpoint: .some(checkpointSize)))
            """
        return HTML.response(HTML.page(title: "Trace \(traceId)", viewer: viewer, body: body))
    }

    private func details(of event: RecordedEvent, checkpointSize: UInt64?, head: UInt64) throws -> String {
        let envelope = Self.pretty(event.envelopeJSON())
        let payload = Self.pretty(event.content.payloadText)
        let covered =
            switch checkpointSize {
            case let size? where event.position <= size:
                "<span class=\"ok\">covered by the latest signed checkpoint (size \(size))</span>"
            case let size?: "after the latest signed checkpoint (size \(size)): the chain covers it"
            case nil: "no signed checkpoint yet: the hash chain covers it"
            }
        let raw = try ledger.evidence(ofEventAt: event.position) != nil
            ? HTML.link("/events/\(event.position)/raw", "the raw webhook body it was mapped from") : "no raw body (not from a webhook)"
        return """
            <p><b>#\(event.position)</b> \(HTML.escape(event.type)) · \(HTML.escape(event.domain.rawValue))/\
            \(HTML.escape(event.entityId)) · \(HTML.escape(Lane.of(event.content.origin).title)) \
            (\(HTML.escape(event.content.origin))) · by \(HTML.escape(event.content.actor))</p>
            <p>occurred \(HTML.time(event.content.occurredAt)), recorded \(HTML.time(event.recordedAt)) · \
            hash <span class="mono">\(HTML.escape(event.hash.description))</span> · \(covered) · \(raw)</p>
            <h3>Payload</h3><pre>\(HTML.escape(payload))</pre>
            <h3>Envelope</h3><pre>\(HTML.escape(envelope))</pre>
            """
    }

    /// `GET /events/{position}/raw`: the webhook body the event was mapped from, as text.
    func raw(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let position = try Request.position(try context.parameter("position"), named: "position")
        guard let body = try ledger.evidence(ofEventAt: position), let event = try ledger.event(at: position) else {
            throw APIError.notFound("the event at position \(position) has no raw body: it did not come from a webhook")
        }
        let page = """
            <h1>Raw body of #\(position)</h1>
            <p>\(HTML.link("/traces/\(HTML.component(event.traceId))?event=\(position)#event", "back to the trace")) · \
            \(body.count) bytes, byte-exact as received</p>
            <pre>\(HTML.escape(String(decoding: body, as: UTF8.self)))</pre>
            """
        return HTML.response(HTML.page(title: "Raw body #\(position)", viewer: viewer, body: page))
    }

    /// JSON indented for reading, every value byte for byte as stored (only whitespace is added).
    static func pretty(_ text: String) -> String {
        var out = ""
        var depth = 0
        var inString = false
        var escaped = false
        func newline() { out += "\n" + String(repeating: "  ", count: depth) }
        for character in text {
            if inString {
                out.append(character)
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            switch character {
            case "\"": inString = true; out.append(character)
            case "{", "[": depth += 1; out.append(character); newline()
            case "}", "]": depth = max(0, depth - 1); newline(); out.append(character)
            case ",": out.append(character); newline()
            case ":": out += ": "
            case " ", "\n", "\t", "\r": continue
            default: out.append(character)
            }
        }
        return out
    }
}
