import Foundation
import Hummingbird
import JSONKit
import TraceLedger

/// The search box and where it leads: a trace id, an order number (the shop's, the ERP's or a payment's id),
/// an entity (`order/SO-1042`), an event id or an actor each go to their page.
struct SearchPage: Sendable {
    let ledger: Ledger

    func home(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let head = try ledger.head()
        let recent = try ledger.read { snapshot -> [RecordedEvent] in
            let first = head.position > 20 ? head.position - 19 : 1
            var events: [RecordedEvent] = []
            if head.position > 0 {
                _ = try snapshot.forEachEvent(from: first, through: head.position) { events.append($0); return true }
            }
            return events.reversed()
        }
        let body = """
            <h1>Search the ledger</h1>
            <form method="get" action="/search" class="panel" role="search">
            <label>Order number, trace id, entity, event id or actor<br>
            <input name="q" size="60" autofocus placeholder="SO-100042, order/SO-100042, 1f84…, service:wms-sync"></label>
            <button type="submit">Find</button></form>
            <p class="muted">\(head.position) events; head hash <span class="mono">\(HTML.escape(head.hash.description))</span></p>
            <h2>Latest events</h2>\(EventTable.html(recent))
            """
        return HTML.response(HTML.page(title: "Search", viewer: viewer, body: body))
    }

    func search(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let query = (request.uri.queryParameters["q"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
        if let path = try destination(of: query) {
            return Response(status: .seeOther, headers: [.location: path])
        }
        let body = """
            <h1>Nothing found</h1>
            <p class="notice error">No trace, order, entity, event or actor is \(HTML.escape("“" + query + "”")).</p>
            <p>Try an order number as the shop or the ERP writes it (<code>SO-100042</code>, <code>5524089123</code>), \
            a payment id (<code>pi_…</code>), an entity as <code>domain/id</code> (<code>stock/SKU-1@WH-BER</code>), \
            a 32-digit trace id, an event id, or an actor (<code>user:alice@example.com</code>).</p>
            """
        return HTML.response(HTML.page(title: "Nothing found", viewer: viewer, body: body), status: .notFound)
    }

    /// The page `query` names, or nil.
    func destination(of query: String) throws -> String? {
        guard !query.isEmpty else { return "/" }
        return try ledger.read { snapshot in
            let hex = query.lowercased()
            if hex.count == 32, hex.allSatisfy(\.isHexDigit), try !snapshot.events(forTrace: hex).isEmpty {
                return "/traces/\(hex)"
            }
            if let id = EventID(query), let event = try snapshot.event(withId: id) {
                return "/traces/\(HTML.component(event.traceId))?event=\(event.position)"
            }
            if let slash = query.firstIndex(of: "/"), let domain = Domain(rawValue: String(query[..<slash])) {
                let entityId = String(query[query.index(after: slash)...])
                if try !snapshot.positions(of: StreamKey(domain: domain, entityId: entityId)).isEmpty {
                    return "/entities/\(domain.rawValue)/\(HTML.component(entityId))"
                }
            }
            for reference in [query, query.hasPrefix("#") ? String(query.dropFirst()) : nil].compactMap({ $0 }) {
                if let trace = try snapshot.trace(ofOrder: reference) {
                    return "/traces/\(HTML.component(trace))?order=\(HTML.component(reference))"
                }
            }
            if try !snapshot.events(byActor: query).isEmpty { return "/actors/\(HTML.component(query))" }
            return nil
        }
    }

    func actor(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let actor = try context.parameter("actor").removingPercentEncoding ?? ""
        let events = try ledger.events(byActor: actor)
        guard !events.isEmpty else { throw APIError.notFound("no events by \(actor)") }
        let shown = events.suffix(500).reversed()
        let body = """
            <h1>\(HTML.escape(actor))</h1>
            <p class="muted">\(events.count) events by this actor\(events.count > 500 ? "; the latest 500" : ""), newest first</p>
            \(EventTable.html(Array(shown)))
            """
        return HTML.response(HTML.page(title: actor, viewer: viewer, body: body))
    }
}
