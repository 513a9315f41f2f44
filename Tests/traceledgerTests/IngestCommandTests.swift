import Foundation
import Testing
import TraceLedgerTesting

/// `traceledger ingest` loads exported payloads through the webhook mapping; `trace --order` and `show --raw`
/// find what came of them.
@Suite struct IngestCommandTests {
    func fixtureFile(_ fixture: CLIFixture, _ name: String, _ bytes: [UInt8]) throws -> String {
        let path = fixture.directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aBackfillLandsOnTheOrdersTraceOnceAndKeepsItsBodies() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let order = try fixtureFile(
            fixture, "order.json",
            try ProviderFixtures.bytes("shopify/rest-fixture-2024-04.order.shopify-api-js.json"))
        let refund = try fixtureFile(
            fixture, "refund.json",
            try ProviderFixtures.bytes("shopify/rest-fixture-2024-04.refund.shopify-api-js.json"))
        let payment = try fixtureFile(
            fixture, "stripe.ndjson",
            try ProviderFixtures.stripeEvent(
                "payment_intent", type: "payment_intent.succeeded", id: "evt_backfill",
                metadata: ["order_id": "450789469"],
                changes: ["amount_received": "59894"]) + Array("\n".utf8))
        let shop = try fixture.run("ingest", "shopify", order, refund)
        #expect(shop.status == 0, "\(shop.stderr)")
        #expect(shop.stderr.contains("recorded 2 deliveries as 2 events"))
        #expect(try fixture.run("ingest", "stripe", payment).status == 0)
        let again = try fixture.run("ingest", "shopify", order, refund)
        #expect(
            again.stderr.contains("recorded 0 deliveries as 0 events; 2 were recorded already"),
            "\(again.stderr)")

        let trace = try fixture.run("trace", "--order", "450789469", "--json")
        #expect(trace.status == 0, "\(trace.stderr)")
        #expect(trace.lines.count == 3)
        #expect(
            trace.lines.allSatisfy {
                $0.contains(#""origin":"shopify-backfill""#) || $0.contains(#""origin":"stripe-backfill""#)
            })
        #expect(Set(trace.lines.map { $0.components(separatedBy: #""traceId":""#)[1].prefix(32) }).count == 1)
        #expect(try fixture.run("trace", "--order", "pi_1PgafyB7WZ01zgkWSjxsAJo3").status == 0)

        let raw = try fixture.run("show", "1", "--raw")
        let body = try ProviderFixtures.shopifyBody("order")
        #expect(raw.status == 0 && Array(raw.stdout.utf8) == body)
        #expect(try fixture.run("verify").status == 0)
    }

    @Test func aFileThatIsNotJSONWritesNothing() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let good = try fixtureFile(
            fixture, "customer.json",
            try ProviderFixtures.bytes("shopify/rest-fixture-2024-04.customer.shopify-api-js.json"))
        let bad = try fixtureFile(fixture, "bad.ndjson", Array("{\"id\": 1}\nnot json\n".utf8))
        let result = try fixture.run("ingest", "shopify", good, bad, "--topic", "customers/create")
        #expect(result.status == 4)
        #expect(result.stderr.contains("bad.ndjson line 2 is not JSON"), "\(result.stderr)")
        let nothing = try fixture.run("show", "1")
        #expect(nothing.status == 1 && nothing.stderr.contains("the head is 0"), "\(nothing.stderr)")
        let unwrapped = try fixtureFile(
            fixture, "bare.json", Array(#"{"id": 5, "updated_at": "2024-04-02T09:13:26-05:00"}"#.utf8))
        let noTopic = try fixture.run("ingest", "shopify", unwrapped)
        #expect(noTopic.status == 4 && noTopic.stderr.contains("give --topic"))
    }

    @Test func anUnknownOrderAndAnEventWithoutBodyAreClearErrors() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let line = EventLine.make(
            type: "order.accepted", entityId: "SO-1", payload: #"{"erpOrderId":"45"}"#, traceId: nil)
        #expect(try fixture.run("append", stdin: line + "\n").status == 0)
        let unknown = try fixture.run("trace", "--order", "nope")
        #expect(unknown.status == 1 && unknown.stderr.contains("no event names the order nope"))
        #expect(try fixture.run("trace", "--order", "45").status == 0)
        let raw = try fixture.run("show", "1", "--raw")
        #expect(raw.status == 1 && raw.stderr.contains("has no raw body"))
        #expect(try fixture.run("show", "1").stdout.contains(#""erpOrderId":"45""#))
    }
}
