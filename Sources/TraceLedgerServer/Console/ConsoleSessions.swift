import Crypto
import Foundation
import Hummingbird
import Synchronization

/// The console's signed-in browsers: a bearer token is given once, on the sign-in page, and exchanged for a
/// random session id kept in an `HttpOnly`, `SameSite=Strict` cookie. Sessions live in memory (a restarted
/// server asks again) and end after `lifetime` or at sign-out. Each carries a CSRF token every form posts back.
///
/// Sendable: the table is behind a mutex.
final class ConsoleSessions: Sendable {
    struct Session: Sendable {
        let caller: TokenEntry
        let csrf: String
        let expires: ContinuousClock.Instant
    }

    static let cookieName = "traceledger_session"
    let lifetime: Duration
    private let sessions = Mutex<[String: Session]>([:])

    init(lifetime: Duration = .seconds(12 * 3600)) { self.lifetime = lifetime }

    /// A new session for `caller`: its id (the cookie's value) and the session.
    func start(for caller: TokenEntry) -> (id: String, session: Session) {
        let id = Self.randomToken()
        let session = Session(caller: caller, csrf: Self.randomToken(), expires: .now + lifetime)
        sessions.withLock { table in
            table = table.filter { $0.value.expires > .now }
            table[id] = session
        }
        return (id, session)
    }

    func session(_ id: String) -> Session? {
        sessions.withLock { table in
            guard let session = table[id] else { return nil }
            guard session.expires > .now else {
                table[id] = nil
                return nil
            }
            return session
        }
    }

    func end(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }

    /// The session id the request's cookie carries, if any.
    static func id(in request: Request) -> String? {
        guard let header = request.headers[.cookie] else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == cookieName { return String(parts[1]) }
        }
        return nil
    }

    static func cookie(_ id: String) -> String {
        "\(cookieName)=\(id); Path=/; HttpOnly; SameSite=Strict"
    }

    static let expiredCookie = "\(cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"

    private static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// Who is looking at a page: a signed-in token, or anyone when the server runs without a token file (on a
/// loopback address only, as for the API).
struct ConsoleViewer: Sendable {
    /// The token's name; nil without a token file.
    let name: String?
    let roles: Set<Role>
    /// The session's CSRF token; empty without a token file.
    let csrf: String

    static let open = ConsoleViewer(name: nil, roles: Set(Role.allCases), csrf: "")

    func may(_ role: Role) -> Bool { roles.contains(role) }

    /// The hidden field every form carries.
    var csrfField: String { "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(csrf))\">" }

    /// Who acts, as the API names a token's owner in the ledger.
    var actor: String? { name.map(ConsumerRoutes.actor(ofToken:)) }
}
