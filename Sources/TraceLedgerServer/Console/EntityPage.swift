import Foundation
import Hummingbird
import JSONKit
import TraceLedger

/// One entity: its history, its state after any of its events (a slider over them, `?at=K`), and what
/// changed between two of them (`?from=A&to=B`) with the event that changed each field. The states are the
/// projections' own, read as of a position (the time travel `traceledger state --as-of` uses).
struct EntityPage: Sendable {
    let ledger: Ledger
    let projections: ProjectionEngine

    func page(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let domainName = try context.parameter("domain")
        guard let domain = Domain(rawValue: domainName) else {
            throw APIError.notFound("there is no domain \(domainName)")
        }
        let entityId = try context.parameter("entityId").removingPercentEncoding ?? ""
        let key = StreamKey(domain: domain, entityId: entityId)
        let events = try ledger.history(of: key)
        guard !events.isEmpty else { throw APIError.notFound("no events for \(key)") }
        let parameters = request.uri.queryParameters
        func index(_ name: String, default value: Int) -> Int {
            min(events.count, max(1, parameters[name[...]].flatMap { Int(String($0)) } ?? value))
        }
        let at = index("at", default: events.count)
        let base = "/entities/\(domain.rawValue)/\(HTML.component(entityId))"
        var stateSection = "<p class=\"muted\">The \(domain.rawValue) domain keeps no state; its history is below.</p>"
        if Domain.projected.contains(domain) {
            try await projections.catchUp()
            // The state after each event: the slider's stops and the diff's sides.
            let states = try events.map { event -> JSONObject in
                var instant = LogInstant()
                instant.position = event.position
                return try projections.state(of: key, asOf: instant)?.fields ?? [:]
            }
            let from = index("from", default: max(1, at - 1))
            let to = index("to", default: at)
            let chosen = events[at - 1]
            stateSection = """
                <h2>State after event \(at) of \(events.count)</h2>
                <form method="get" action="\(base)" class="panel inline autosubmit">
                <label>Event <input type="range" name="at" min="1" max="\(events.count)" value="\(at)" \
                aria-label="State after event"></label> <output>#\(chosen.position) \(HTML.escape(chosen.type)), \
                \(HTML.time(chosen.content.occurredAt))</output> <button type="submit">Show</button></form>
                <pre id="state">\(HTML.escape(TracePage.pretty(JSONValue.object(states[at - 1]).serialized())))</pre>
                <h2>What changed from event \(from) to event \(to)</h2>
                <form method="get" action="\(base)" class="panel inline">
                <input type="hidden" name="at" value="\(at)">
                <label>From <input type="number" name="from" min="1" max="\(events.count)" value="\(from)"></label>
                <label>To <input type="number" name="to" min="1" max="\(events.count)" value="\(to)"></label>
                <button type="submit">Compare</button></form>
                \(Self.diff(states: states, events: events, from: from, to: to, base: base))
                """
        }
        let body = """
            <h1>\(HTML.escape(key.description))</h1>
            <p class="muted">\(events.count) events</p>
            \(stateSection)
            <h2>History</h2>\(EventTable.html(events, selected: events[at - 1].position))
            """
        return HTML.response(HTML.page(title: key.description, viewer: viewer, body: body))
    }

    /// The fields that differ between the states after events `from` and `to` (1-based), each with the last
    /// event in between that changed it.
    static func diff(states: [JSONObject], events: [RecordedEvent], from: Int, to: Int, base: String) -> String {
        let (low, high) = (min(from, to), max(from, to))
        let before = states[low - 1]
        let after = states[high - 1]
        var names = before.keys
        for name in after.keys where !names.contains(name) { names.append(name) }
        var rows = ""
        for name in names where before[name] != after[name] {
            var changer: RecordedEvent?
            for step in stride(from: high, to: low, by: -1) where states[step - 1][name] != states[step - 2][name] {
                changer = events[step - 1]
                break
            }
            let link = changer.map {
                HTML.link("/traces/\(HTML.component($0.traceId))?event=\($0.position)#event", "#\($0.position) \($0.type)")
            } ?? ""
            rows += """
                <tr class="diff-row" data-field="\(HTML.escape(name))"><td>\(HTML.escape(name))</td>\
                <td class="mono">\(HTML.escape(before[name].map { $0.serialized() } ?? "—"))</td>\
                <td class="mono">\(HTML.escape(after[name].map { $0.serialized() } ?? "—"))</td><td>\(link)</td></tr>
                """
        }
        guard !rows.isEmpty else { return "<p class=\"muted\">Nothing changed between these events.</p>" }
        return """
            <table id="diff"><thead><tr><th>Field</th><th>After event \(low)</th><th>After event \(high)</th>\
            <th>Changed by</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
