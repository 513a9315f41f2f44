import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TraceLedgerIngest
import TraceLedgerTesting

/// `traceledger serve` with webhook secrets from the environment and from a file, as an operator runs it:
/// a flood of bad signatures shows in `/metrics`, read with the official Prometheus Python client.
@Suite struct WebhookServeTests {
    static func shopify(_ base: String, _ body: [UInt8], signature: String, id: String) async throws -> UInt {
        var request = HTTPClientRequest(url: base + "/v1/webhooks/shopify")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Shopify-Topic", value: "customers/create")
        request.headers.add(name: "X-Shopify-Event-Id", value: id)
        request.headers.add(name: "X-Shopify-Hmac-Sha256", value: signature)
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await HTTPClient.shared.execute(request, timeout: .seconds(60)).status.code
    }

    @Test func badSignaturesAreCountedWhereAnOperatorLooks() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let (server, base) = try await ServeCommandTests.serve(
            fixture, environment: ["TRACELEDGER_SHOPIFY_SECRETS": "shpss_old, shpss_current"])
        defer { kill(server.process.processIdentifier, SIGTERM) }
        let body = try ProviderFixtures.shopifyBody("customer")
        for attempt in 0..<5 {
            let status = try await Self.shopify(
                base, body, signature: ShopifySignature.sign(body, secret: "guess-\(attempt)"), id: "x")
            #expect(status == 401)
        }
        #expect(
            try await Self.shopify(
                base, body, signature: ShopifySignature.sign(body, secret: "shpss_current"), id: "a") == 200)
        #expect(
            try await Self.shopify(
                base, body, signature: ShopifySignature.sign(body, secret: "shpss_old"), id: "a") == 200)
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(60))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let path = fixture.directory.file("metrics.txt")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            samples = {tuple(sorted(s.labels.items())): s.value
                       for f in text_string_to_metric_families(open(sys.argv[1]).read())
                       if f.name == "traceledger_webhook_deliveries" for s in f.samples}
            assert samples[(("outcome", "bad_signature"), ("provider", "shopify"))] == 5, samples
            assert samples[(("outcome", "recorded"), ("provider", "shopify"))] == 1, samples
            assert samples[(("outcome", "duplicate"), ("provider", "shopify"))] == 1, samples
            print("ok")
            """
        let (status, said) = try PythonScript.run(script, [path])
        #expect(status == 0, "\(said)\n\(text)")
    }

    @Test func aSecretsFileIsReadAndAnEmptyOneStopsTheServer() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let empty = fixture.directory.file("empty-secrets")
        try "# no secret yet\n".write(toFile: empty, atomically: true, encoding: .utf8)
        let refused = try fixture.run("serve", "--listen", "127.0.0.1:0", "--stripe-secrets-file", empty)
        #expect(refused.status == 2 && refused.stderr.contains("holds no secret"), "\(refused.stderr)")
        let file = fixture.directory.file("secrets")
        try "# rotated 2026-11-30\nshpss_from_file\n".write(toFile: file, atomically: true, encoding: .utf8)
        let (server, base) = try await ServeCommandTests.serve(
            fixture, extra: ["--shopify-secrets-file", file])
        defer { kill(server.process.processIdentifier, SIGTERM) }
        let body = try ProviderFixtures.shopifyBody("customer")
        #expect(
            try await Self.shopify(
                base, body, signature: ShopifySignature.sign(body, secret: "shpss_from_file"), id: "f") == 200
        )
    }
}
