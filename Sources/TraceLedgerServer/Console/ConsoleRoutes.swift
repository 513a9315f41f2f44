import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import TraceLedger

/// The investigation console: server-rendered pages at `/` over the same engine calls as the API
/// (docs/console.md). Each page needs the role its API twin needs, so the console is never a way around the
/// API's roles: traces, entities and the live tail `read`; findings and integrity `audit`; feeds `operate`.
struct ConsoleRoutes: Sendable {
    let ledger: Ledger
    let projections: ProjectionEngine
    let tokens: TokenFile?
    let sessions: ConsoleSessions
    let metrics: ServerMetrics
    let verifications: VerificationRecord

    typealias Page = @Sendable (Request, LedgerRequestContext, ConsoleViewer) async throws -> Response

    /// A page of the console: its method (a POST is an action), its path (Hummingbird form), the role it needs.
    struct Route: Sendable {
        let method: HTTPRequest.Method
        let path: String
        let role: Role
        let page: Page
    }

    func register(on router: Router<LedgerRequestContext>) {
        router.get("/console.css") { _, _ in Self.asset(HTML.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/console.js") { _, _ in Self.asset(HTML.script, type: "text/javascript; charset=utf-8") }
        router.get("/favicon.svg") { _, _ in Self.asset(HTML.favicon, type: "image/svg+xml") }
        router.get("/sign-in") { request, _ in signInPage(request, problem: nil) }
        router.post("/sign-in") { request, _ in try await signIn(request) }
        router.post("/sign-out") { request, _ in try await signOut(request) }
        let search = SearchPage(ledger: ledger)
        let trace = TracePage(ledger: ledger, projections: projections)
        let entity = EntityPage(ledger: ledger, projections: projections)
        let findings = FindingsPage(ledger: ledger, projections: projections)
        let feeds = FeedsPage(ledger: ledger)
        let integrity = IntegrityPage(ledger: ledger, verifications: verifications)
        let live = LivePage(ledger: ledger, metrics: metrics)
        let routes: [Route] = [
            Route(method: .get, path: "/", role: .read, page: search.home),
            Route(method: .get, path: "/search", role: .read, page: search.search),
            Route(method: .get, path: "/traces/:traceId", role: .read, page: trace.page),
            Route(method: .get, path: "/events/:position/raw", role: .read, page: trace.raw),
            Route(method: .get, path: "/entities/:domain/:entityId", role: .read, page: entity.page),
            Route(method: .get, path: "/actors/:actor", role: .read, page: search.actor),
            Route(method: .get, path: "/live", role: .read, page: live.page),
            Route(method: .get, path: "/live/stream", role: .read, page: live.stream),
            Route(method: .get, path: "/findings", role: .audit, page: findings.page),
            Route(method: .get, path: "/integrity", role: .audit, page: integrity.page),
            Route(method: .post, path: "/integrity/verify", role: .audit, page: integrity.verify),
            Route(method: .get, path: "/feeds", role: .operate, page: feeds.page),
            Route(
                method: .post, path: "/feeds/:name/dead-letters/:position/:action", role: .operate,
                page: feeds.resolve),
        ]
        for route in routes {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await guarded(route, request, context)
            }
        }
    }

    /// Signs the viewer in (or sends the browser to the sign-in page), checks the route's role and, for an
    /// action, that the form came from this console; renders any error as a page.
    private func guarded(_ route: Route, _ request: Request, _ context: LedgerRequestContext) async throws
        -> Response
    {
        let viewer: ConsoleViewer
        if tokens == nil {
            viewer = .open
        } else if let id = ConsoleSessions.id(in: request), let session = sessions.session(id) {
            viewer = ConsoleViewer(name: session.caller.name, roles: session.caller.roles, csrf: session.csrf)
        } else {
            guard route.method == .get else {
                return HTML.response(
                    ErrorPage.html("Sign in first", "This action needs a signed-in token.", viewer: .open),
                    status: .unauthorized)
            }
            let next = HTML.component(request.uri.description)
            return Response(status: .seeOther, headers: [.location: "/sign-in?next=\(next)"])
        }
        guard viewer.may(route.role) else {
            return HTML.response(
                ErrorPage.html(
                    "Not for this token",
                    "The token \(viewer.name ?? "") lacks the role \(route.role.rawValue) this page needs.",
                    viewer: viewer),
                status: .forbidden)
        }
        var context = context
        if route.method == .post {
            let form: FormBody
            do {
                form = try await FormBody(request)
            } catch let error as APIError {
                return ErrorPage.response(error, viewer: viewer)
            }
            guard Self.isSameOrigin(request), tokens == nil || form["csrf"] == viewer.csrf else {
                return HTML.response(
                    ErrorPage.html(
                        "Refused", "The form did not come from this console (cross-site request refused).",
                        viewer: viewer), status: .forbidden)
            }
            context.consoleForm = form
        }
        do {
            return try await route.page(request, context, viewer)
        } catch let error as APIError {
            return ErrorPage.response(error, viewer: viewer)
        } catch let error as LedgerError {
            return ErrorPage.response(APIError(error), viewer: viewer)
        }
    }

    /// A browser says where a request came from: `Sec-Fetch-Site` (every current browser), else `Origin`.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] {
            return site == "same-origin" || site == "none"
        }
        if let origin = request.headers[HTTPField.Name("Origin")!], let host = request.head.authority {
            return origin == "http://\(host)" || origin == "https://\(host)"
        }
        return true  // not a browser (curl): the CSRF token still has to match
    }

    private func signInPage(_ request: Request, problem: String?) -> Response {
        let next = request.uri.queryParameters["next"].map(String.init) ?? "/"
        let notice = problem.map { "<p class=\"notice error\">\(HTML.escape($0))</p>" } ?? ""
        let body = """
            <h1>Sign in</h1>\(notice)
            <form method="post" action="/sign-in" class="panel">
            <p><label>Bearer token <input type="password" name="token" autocomplete="off" required autofocus \
            size="50"></label></p>
            <input type="hidden" name="next" value="\(HTML.escape(next))">
            <button type="submit">Sign in</button>
            <p class="muted">The token is exchanged for a session cookie and not kept in the browser. \
            Make one with <code>traceledger token add</code>.</p></form>
            """
        return HTML.response(
            HTML.page(title: "Sign in", viewer: ConsoleViewer(name: nil, roles: [], csrf: ""), body: body),
            status: problem == nil ? .ok : .unauthorized)
    }

    private func signIn(_ request: Request) async throws -> Response {
        let form = try await FormBody(request)
        guard Self.isSameOrigin(request) else {
            return HTML.response(ErrorPage.html("Refused", "Cross-site sign-in refused.", viewer: .open), status: .forbidden)
        }
        guard let tokens else { return Response(status: .seeOther, headers: [.location: "/"]) }
        guard let caller = tokens.entry(forToken: form["token"] ?? "") else {
            return signInPage(request, problem: "That token is not known to this server.")
        }
        let (id, _) = sessions.start(for: caller)
        // Only a path on this server: an open redirect would hand the session's first page to anyone.
        var next = form["next"] ?? "/"
        if !next.hasPrefix("/") || next.hasPrefix("//") { next = "/" }
        return Response(
            status: .seeOther, headers: [.location: next, .setCookie: ConsoleSessions.cookie(id)])
    }

    private func signOut(_ request: Request) async throws -> Response {
        let form = try await FormBody(request)
        if let id = ConsoleSessions.id(in: request), let session = sessions.session(id), form["csrf"] == session.csrf {
            sessions.end(id)
        }
        return Response(
            status: .seeOther, headers: [.location: "/sign-in", .setCookie: ConsoleSessions.expiredCookie])
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A page that says what went wrong, in the console's frame.
enum ErrorPage {
    /// The page for an error the API would answer with, with its status.
    static func response(_ error: APIError, viewer: ConsoleViewer) -> Response {
        let title =
            switch error.status.code {
            case 404: "Not found"
            case 400, 413, 422: "Not accepted"
            case 409: "Conflict"
            case 503: "Unavailable"
            default: "Error"
            }
        return HTML.response(html(title, error.message, viewer: viewer), status: error.status)
    }

    static func html(_ title: String, _ message: String, viewer: ConsoleViewer) -> String {
        HTML.page(
            title: title, viewer: viewer,
            body: "<h1>\(HTML.escape(title))</h1><p class=\"notice error\">\(HTML.escape(message))</p>")
    }
}
