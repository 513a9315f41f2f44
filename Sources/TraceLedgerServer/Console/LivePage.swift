import Foundation
import Hummingbird
import HTTPTypes
import TraceLedger

/// New events as they are committed, filterable by domain: the page, and the server's live stream behind
/// the console's session (the same `LiveTail` as `GET /v1/events/live`).
struct LivePage: Sendable {
    let ledger: Ledger
    let metrics: ServerMetrics

    func page(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let domain = request.uri.queryParameters["domain"].map(String.init) ?? ""
        let options = ([""] + Domain.allCases.map(\.rawValue)).map {
            "<option value=\"\($0)\"\($0 == domain ? " selected" : "")>\($0.isEmpty ? "every domain" : $0)</option>"
        }.joined()
        let body = """
            <h1>Live</h1>
            <form method="get" action="/live" class="panel inline"><label>Domain <select name="domain">\(options)\
            </select></label><button type="submit">Show</button></form>
            <p class="muted">Events appear here as they are committed (newest first, the latest 200).</p>
            <table><thead><tr><th>Position</th><th>Recorded</th><th>Origin</th><th>Type</th><th>Entity</th>\
            <th>Actor</th><th></th></tr></thead><tbody id="live-events" data-domain="\(HTML.escape(domain))"></tbody></table>
            """
        return HTML.response(HTML.page(title: "Live", viewer: viewer, body: body))
    }

    func stream(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let domains = try request.list("domain").map(EventRoutes.domains)
        var start = try ledger.head().position + 1
        if let last = request.headers[HTTPField.Name("Last-Event-ID")!] {
            start = try Request.position(last, named: "Last-Event-ID") + 1
        }
        var tail = LiveTail(
            ledger: ledger, metrics: metrics, heartbeat: .seconds(15), start: start, domains: domains, types: nil,
            trace: nil)
        tail.namesEvents = false
        let streaming = tail
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in try await streaming.stream(to: &writer) })
    }
}
