public import Hummingbird

/// Checks the request's `Authorization: Bearer …` against the token file and remembers who called. Without a
/// token file (only allowed on a loopback address) every request may do everything.
struct AuthenticationMiddleware: RouterMiddleware {
    let tokens: TokenFile?

    func handle(
        _ request: Request, context: LedgerRequestContext,
        next: (Request, LedgerRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let tokens else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(
                .unauthorized, kind: "unauthorized",
                "this endpoint needs `Authorization: Bearer TOKEN`; `traceledger token add` makes a token",
                headers: [.wwwAuthenticate: "Bearer realm=\"traceledger\""])
        }
        guard let caller = tokens.entry(forToken: String(header.dropFirst("bearer ".count))) else {
            throw APIError(
                .unauthorized, kind: "unauthorized", "the bearer token is not known to this server",
                headers: [.wwwAuthenticate: "Bearer realm=\"traceledger\", error=\"invalid_token\""])
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}

/// Lets a request through only when its caller holds `role` (every request passes without a token file).
struct RoleMiddleware: RouterMiddleware {
    let role: Role
    let enforced: Bool

    func handle(
        _ request: Request, context: LedgerRequestContext,
        next: (Request, LedgerRequestContext) async throws -> Response
    ) async throws -> Response {
        if enforced, !(context.caller?.roles.contains(role) ?? false) {
            throw APIError(
                .forbidden, kind: "forbidden",
                "the token \(context.caller?.name ?? "") lacks the role \(role.rawValue) this endpoint needs")
        }
        return try await next(request, context)
    }
}
