import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import TraceLedger
import TraceLedgerServer
import TraceLedgerTesting

/// A real `traceledger` HTTP server on a free loopback port over a temporary store, and a real HTTP client.
final class ServerHarness: Sendable {
    let store: TemporaryStore
    let server: LocalServer

    /// How long a test's request waits for its answer. Far above what a request takes (about a millisecond), because
    /// the whole suite runs at once on two cores, and the CLI tests wait for their child processes synchronously
    /// (`CommandRunner.run`), each holding one of the two threads of Swift's cooperative pool meanwhile: a full
    /// local run had 24 requests of these tests time out together after 120 s, though each of their suites passes
    /// in about a second alone. A server that hangs still fails its test, after this long.
    static let requestTimeout: TimeAmount = .seconds(600)

    var ledger: Ledger { store.ledger }
    var port: Int { server.port }
    var base: String { server.base }

    static func start(
        tokens: TokenFile? = nil, heartbeat: Duration = .seconds(15), webhooks: WebhookConfiguration = .init()
    ) async throws -> ServerHarness {
        let store = try TemporaryStore("server")
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, tokens: tokens)
        configuration.heartbeat = heartbeat
        configuration.webhooks = webhooks
        let server = try await LocalServer.start(
            configuration, ledger: store.ledger, logger: Logger(label: "test.server"))
        return ServerHarness(store: store, server: server)
    }

    private init(store: TemporaryStore, server: LocalServer) {
        self.store = store
        self.server = server
    }

    /// Shuts the server down gracefully and waits for it.
    func stop() async throws { try await server.stop() }

    /// One request; the answer's status, headers and whole body.
    func request(
        _ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = [],
        token: String? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: Self.requestTimeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Answer(
            status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    struct Answer: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: String

        /// The body parsed as a JSON object (Foundation; for assertions only).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }

        var errorKind: String? { (json["error"] as? [String: Any])?["kind"] as? String }
    }
}

/// Event lines for tests.
enum Events {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    static func payment(
        _ entity: String, amount: String = "1.00", eventId: String? = UUID().uuidString.lowercased(),
        traceId: String = trace, expectedVersion: Int? = nil
    ) -> String {
        EventLine.make(
            type: "payment.captured", entityId: entity,
            payload: #"{"orderId":"SO-1","amount":"\#(amount)","currency":"EUR"}"#, eventId: eventId,
            traceId: traceId,
            origin: "stripe", actor: "service:stripe-webhooks", expectedVersion: expectedVersion)
    }
}
