import Foundation
import Hummingbird
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

    /// `GET /live/stream?domain=`: the API's live tail (from the next event), behind the console's session.
    func stream(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        try LiveRoutes(ledger: ledger, metrics: metrics).stream(request, namesEvents: false)
    }
}
