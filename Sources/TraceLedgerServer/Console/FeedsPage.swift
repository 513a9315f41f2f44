import Foundation
import Hummingbird
import TraceLedger

/// The downstream feeds: each consumer with checkpoint, lag, throughput and dead letters; each dead letter
/// with the downstream's answer and attempts, and retry or discard with a required reason. The actor is the
/// signed-in token's name, and the override is appended to the ledger, so it shows on the event's trace.
struct FeedsPage: Sendable {
    let ledger: Ledger

    func page(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws -> Response {
        let (statuses, letters) = try ledger.read { snapshot in
            let statuses = try snapshot.consumerStatuses()
            return (statuses, try statuses.map { try snapshot.deadLetters(of: $0.state.name) })
        }
        let notice = request.uri.queryParameters["done"].map {
            "<p class=\"notice\" id=\"outcome\">\(HTML.escape(String($0)))</p>"
        } ?? ""
        var consumers = ""
        var queues = ""
        for (status, deadLetters) in zip(statuses, letters) {
            let state = status.state
            let name = HTML.escape(state.name)
            consumers += """
                <tr><td>\(name)</td><td>\(state.checkpoint)</td><td>\(status.lag)</td><td>\(state.delivered)</td>\
                <td>\(state.lastDeliveryAt.map(HTML.time) ?? "never")</td><td>\(status.deadLetters)</td>\
                <td>\(status.heldBack)</td><td class="mono">\(HTML.escape(state.sink))</td></tr>
                """
            guard !deadLetters.isEmpty else { continue }
            queues += "<h2>Dead letters of \(name)</h2><table class=\"dead-letters\"><thead><tr><th>Position</th>"
                + "<th>Type</th><th>Entity</th><th>State</th><th>Attempts</th><th>Answer</th><th>Failed</th>"
                + "<th>Action</th></tr></thead><tbody>"
            for letter in deadLetters {
                let trace = "/traces/\(HTML.component(letter.traceId))?event=\(letter.position)#event"
                let answer = [letter.status.map { "HTTP \($0)" }, letter.response, letter.lastError.isEmpty ? nil : letter.lastError]
                    .compactMap { $0 }.joined(separator: " · ")
                let state: String
                switch letter.state {
                case .dead: state = "dead"
                case .held(let behind): state = "held behind #\(behind)"
                }
                var actions = ""
                if case .dead = letter.state {
                    let path = "/feeds/\(HTML.component(letter.consumer))/dead-letters/\(letter.position)"
                    actions = """
                        <form method="post" action="\(path)/retry" class="inline">\(viewer.csrfField)\
                        <input type="text" name="reason" required placeholder="why (recorded)" aria-label="Reason">\
                        <button type="submit" name="action" value="retry">Retry</button></form> \
                        <form method="post" action="\(path)/discard" class="inline">\(viewer.csrfField)\
                        <input type="text" name="reason" required placeholder="why (recorded)" aria-label="Reason">\
                        <button type="submit">Discard</button></form>
                        """
                }
                queues += """
                    <tr data-position="\(letter.position)"><td>\(HTML.link(trace, "#\(letter.position)"))</td>\
                    <td>\(HTML.escape(letter.type))</td><td>\(HTML.escape(letter.stream.description))</td>\
                    <td>\(state)</td><td>\(letter.attempts)</td><td>\(HTML.escape(String(answer.prefix(300))))</td>\
                    <td>\(HTML.time(letter.failedAt))</td><td>\(actions)</td></tr>
                    """
            }
            queues += "</tbody></table>"
        }
        let body = """
            <h1>Feeds</h1>\(notice)
            <table id="consumers"><thead><tr><th>Consumer</th><th>Checkpoint</th><th>Lag</th><th>Delivered</th>\
            <th>Last delivery</th><th>Dead letters</th><th>Held back</th><th>Sink</th></tr></thead>\
            <tbody>\(consumers)</tbody></table>
            \(statuses.isEmpty ? "<p class=\"muted\">No consumer has replayed yet (<code>traceledger replay --consumer NAME</code>).</p>" : "")
            \(queues)
            """
        return HTML.response(HTML.page(title: "Feeds", viewer: viewer, body: body))
    }

    /// `POST /feeds/{name}/dead-letters/{position}/retry|discard`: the API's action, then back to the page.
    func resolve(_ request: Request, _ context: LedgerRequestContext, _ viewer: ConsoleViewer) async throws
        -> Response
    {
        let name = try context.parameter("name").removingPercentEncoding ?? ""
        let position = try Request.position(try context.parameter("position"), named: "position")
        let action = try context.parameter("action")
        guard action == "retry" || action == "discard" else { throw APIError.notFound("no action \(action)") }
        let reason = (context.consoleForm?["reason"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else {
            throw APIError.badRequest("say why: the reason is recorded in the ledger with your name")
        }
        guard let actor = viewer.actor ?? context.consoleForm?["actor"] else {
            throw APIError.badRequest("without a token file, say who acts in the form's actor field")
        }
        let resolution = try await ConsumerRoutes(ledger: ledger).resolve(
            consumer: name, position: position, retrying: action == "retry", actor: actor, reason: reason)
        let outcome =
            !resolution.delivered.isEmpty
            ? "delivered #\(resolution.delivered.map(String.init).joined(separator: ", #"))"
            : !resolution.discarded.isEmpty
                ? "discarded #\(resolution.discarded.map(String.init).joined(separator: ", #"))"
                : "still dead: #\(position) was refused again"
        return Response(status: .seeOther, headers: [.location: "/feeds?done=\(HTML.component(outcome))"])
    }
}
