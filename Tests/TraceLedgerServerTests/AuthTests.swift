import Foundation
import Logging
import NIOHTTP1
import Testing
import TraceLedger
import TraceLedgerServer
import TraceLedgerTesting

/// Bearer tokens and roles: 401 without a known token, 403 without the role, the token's name as actor.
@Suite struct AuthTests {
    /// A token file with one token per role, and the tokens.
    static func tokens() throws -> (TokenFile, [Role: String], TemporaryDirectory) {
        let directory = TemporaryDirectory("tokens")
        let path = directory.file("tokens")
        var tokens: [Role: String] = [:]
        for role in Role.allCases {
            tokens[role] = try TokenFile.add(name: "\(role.rawValue)-bot", roles: [role], to: path)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(tokens.values.allSatisfy { !text.contains($0) })  // only digests are stored
        return (try TokenFile(path: path), tokens, directory)
    }

    @Test func everyRouteNeedsItsRole() async throws {
        let (file, tokens, directory) = try Self.tokens()
        _ = directory
        let server = try await ServerHarness.start(tokens: file)
        let routes: [(HTTPMethod, String, Role, String?)] = [
            (.POST, "/v1/events", .ingest, Events.payment("pi_1")),
            (.GET, "/v1/events", .read, nil), (.GET, "/v1/traces/\(Events.trace)", .read, nil),
            (.GET, "/v1/streams/payment/pi_1", .read, nil), (.GET, "/v1/audit", .audit, nil),
            (.GET, "/v1/verify", .audit, nil), (.GET, "/v1/stats", .audit, nil),
            (.GET, "/v1/reconcile", .audit, nil),
            (.GET, "/v1/consumers", .operate, nil),
        ]
        for (method, path, role, body) in routes {
            let anonymous = try await server.request(method, path, body: body)
            #expect(anonymous.status == 401, "\(path)")
            #expect(anonymous.headers["WWW-Authenticate"].first?.hasPrefix("Bearer") == true)
            let unknown = try await server.request(method, path, body: body, token: "tl_not-a-token")
            #expect(unknown.status == 401, "\(path)")
            for other in Role.allCases where other != role {
                let forbidden = try await server.request(method, path, body: body, token: tokens[other])
                #expect(forbidden.status == 403, "\(path) with \(other)")
                #expect(forbidden.errorKind == "forbidden")
            }
            let allowed = try await server.request(method, path, body: body, token: tokens[role])
            #expect([200, 201].contains(allowed.status), "\(path): \(allowed.body)")
        }
        // Health and metrics need no token.
        #expect(try await server.request(.GET, "/healthz").status == 200)
        #expect(try await server.request(.GET, "/readyz").status == 200)
        #expect(try await server.request(.GET, "/metrics").status == 200)
        try await server.stop()
    }

    @Test func aNonLoopbackAddressWithoutTokensIsRefused() throws {
        let store = try TemporaryStore()
        #expect {
            _ = try buildApplication(
                ServerConfiguration(host: "0.0.0.0", port: 0), ledger: store.ledger,
                logger: .init(label: "test"))
        } throws: { error in
            (error as? LedgerError)?.kind == .invalidArgument
                && (error as? LedgerError)?.message.contains("without --tokens") == true
        }
    }

    @Test func aMalformedTokenFileNamesTheLine() throws {
        let directory = TemporaryDirectory("tokens")
        let path = directory.file("tokens")
        try "# comment\nalice read 1234\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try TokenFile(path: path)
        } throws: { error in
            (error as? LedgerError)?.message.contains("line 2") == true
        }
    }
}
