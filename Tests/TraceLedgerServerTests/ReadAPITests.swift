import Foundation
import NIOHTTP1
import Testing
import TraceLedger
import TraceLedgerSinks
import TraceLedgerTesting
import TraceLedgerWorkload

/// What an investigator and an auditor read over HTTP: the CLI's answers, the CLI's envelopes.
@Suite struct ReadAPITests {
    static func loaded(_ server: ServerHarness, count: Int = 600) async throws -> [String] {
        let lines = WorkloadGenerator.lines(seed: 21, count: count)
        let answer = try await server.request(
            .POST, "/v1/events", body: lines.joined(separator: "\n"),
            headers: [("Content-Type", "application/x-ndjson")])
        #expect(answer.status == 201)
        return lines
    }

    @Test func tracesAndStreamsCarryTheCLIsEnvelopesByteForByte() async throws {
        let server = try await ServerHarness.start()
        _ = try await Self.loaded(server)
        let event = try #require(try server.ledger.event(at: 100))
        let trace = try await server.request(.GET, "/v1/traces/\(event.traceId)")
        #expect(trace.status == 200)
        let expected = try server.ledger.events(forTrace: event.traceId).map { $0.envelopeJSON() }
        #expect(trace.body.contains(expected.joined(separator: ",")))
        #expect(trace.json["traceId"] as? String == event.traceId)
        let stream = try await server.request(.GET, "/v1/streams/\(event.domain.rawValue)/\(event.entityId)")
        #expect(stream.status == 200)
        let history = try server.ledger.history(of: event.content.streamKey)
        #expect(stream.json["version"] as? Int == history.count)
        #expect(stream.body.contains(history.map { $0.envelopeJSON() }.joined(separator: ",")))
        #expect(try await server.request(.GET, "/v1/traces/nope").status == 404)
        #expect(try await server.request(.GET, "/v1/streams/order/SO-0").status == 404)
        #expect(try await server.request(.GET, "/v1/streams/shipping/X").status == 400)
        try await server.stop()
    }

    @Test func eventsArePagedByPositionWithANextLink() async throws {
        let server = try await ServerHarness.start()
        _ = try await Self.loaded(server)
        var positions: [Int] = []
        var path: String? = "/v1/events?domain=payment&limit=25"
        while let next = path {
            let page = try await server.request(.GET, next)
            #expect(page.status == 200)
            let events = page.json["events"] as? [[String: Any]] ?? []
            #expect(events.allSatisfy { $0["domain"] as? String == "payment" })
            positions += events.compactMap { $0["position"] as? Int }
            path = page.json["next"] as? String
        }
        let expected = try server.ledger.events(matching: EventQuery(domains: [.payment])).map {
            Int($0.position)
        }
        #expect(positions == expected)
        #expect(!positions.isEmpty)
        let origin = try await server.request(.GET, "/v1/events?origin=wms&limit=1000")
        #expect(
            (origin.json["events"] as? [[String: Any]])?.allSatisfy { $0["origin"] as? String == "wms" }
                == true)
        #expect(try await server.request(.GET, "/v1/events?limit=0").status == 400)
        // Numbers past any position are refused, never trusted into arithmetic.
        for path in [
            "/v1/events?limit=18446744073709551615", "/v1/events?after=18446744073709551615",
            "/v1/events/live?from=18446744073709551615", "/v1/reconcile?grace=200000d",
        ] {
            #expect(try await server.request(.GET, path).status == 400, "\(path)")
        }
        let resumed = try await server.request(
            .GET, "/v1/events/live", headers: [("Last-Event-ID", "18446744073709551615")])
        #expect(resumed.status == 400)
        #expect(try await server.request(.GET, "/v1/events?from=yesterday").status == 400)
        try await server.stop()
    }

    @Test func stateAuditReconcileVerifyStatsAndConsumersAnswerLikeTheCLI() async throws {
        let server = try await ServerHarness.start()
        _ = try await Self.loaded(server, count: 2_000)
        let order = try #require(
            try server.ledger.events(matching: EventQuery(types: ["order.created"], limit: 1)).first)
        let state = try await server.request(.GET, "/v1/state/order/\(order.entityId)")
        #expect(state.status == 200, "\(state.body)")
        #expect((state.json["state"] as? [String: Any])?["orderId"] as? String == order.entityId)
        let past = try await server.request(.GET, "/v1/state/order/\(order.entityId)?asOf=\(order.position)")
        #expect(past.json["lastPosition"] as? Int == Int(order.position))
        #expect(try await server.request(.GET, "/v1/state/order/SO-none").status == 404)

        let audit = try await server.request(.GET, "/v1/audit?domain=payment")
        #expect(audit.status == 200)
        #expect(((audit.json["verification"] as? [String: Any])?["intact"] as? Bool) == true)
        let csv = try await server.request(
            .GET, "/v1/audit?domain=payment", headers: [("Accept", "text/csv")])
        #expect(csv.headers["Content-Type"].first?.hasPrefix("text/csv") == true)
        #expect(csv.body.hasPrefix("position,occurred_at,recorded_at,actor"))
        #expect(
            csv.body.split(separator: "\r\n").count
                == (audit.json["entries"] as? [Any])?.count.advanced(by: 1))

        let reconcile = try await server.request(.GET, "/v1/reconcile?grace=2h&sla=1d")
        #expect(reconcile.status == 200)
        #expect(reconcile.json["findings"] is [Any])
        #expect(try await server.request(.GET, "/v1/reconcile?grace=soon").status == 400)

        let verify = try await server.request(.GET, "/v1/verify")
        #expect(verify.json["intact"] as? Bool == true && verify.json["events"] as? Int == 2_000)
        let stats = try await server.request(.GET, "/v1/stats")
        #expect(stats.json["events"] as? Int == 2_000)
        #expect((stats.json["bytesByDatabase"] as? [String: Any])?["dead_letters"] != nil)
        let consumers = try await server.request(.GET, "/v1/consumers")
        #expect(consumers.json["consumers"] as? [Any] != nil)
        #expect(try await server.request(.GET, "/v1/consumers/none/dead-letters").status == 404)
        try await server.stop()
    }

    @Test func deadLettersAreRetriedOverHTTPWithTheActorRecorded() async throws {
        let server = try await ServerHarness.start()
        _ = try await server.request(
            .POST, "/v1/events", body: "[\(Events.payment("pi_1")),\(Events.payment("pi_2"))]")
        let downstream = try await DownstreamServer()
        let refused = try #require(try server.ledger.event(at: 1)).eventId.description
        downstream.respond { request, _ in request.idempotencyKey == refused ? .status(400) : .ok }
        var options = ReplayOptions(consumer: "erp", actor: "user:ops@example.com")
        options.retry = RetryPolicy(base: .milliseconds(5), cap: .milliseconds(20))
        _ = try await Replayer(ledger: server.ledger, sink: HTTPSink(url: downstream.url), options: options)
            .run()
        let letters = try await server.request(.GET, "/v1/consumers/erp/dead-letters")
        #expect((letters.json["deadLetters"] as? [[String: Any]])?.map { $0["position"] as? Int } == [1])
        downstream.respond { _, _ in .ok }
        let noReason = try await server.request(.POST, "/v1/consumers/erp/dead-letters/1/retry", body: "{}")
        #expect(noReason.status == 400)
        // Over HTTP no other destination can be named: the consumer's own sink is used.
        let elsewhere = try await server.request(
            .POST, "/v1/consumers/erp/dead-letters/1/retry",
            body: #"{"reason":"x","actor":"user:alice@example.com","to":"file:/tmp/elsewhere"}"#)
        #expect(elsewhere.status == 400)
        // A malformed actor is refused before anything is delivered.
        let before = downstream.requests.count
        let badActor = try await server.request(
            .POST, "/v1/consumers/erp/dead-letters/1/retry", body: #"{"reason":"x","actor":"alice"}"#)
        #expect(badActor.status == 422)
        #expect(downstream.requests.count == before)
        let retried = try await server.request(
            .POST, "/v1/consumers/erp/dead-letters/1/retry",
            body: #"{"reason":"ERP fixed","actor":"user:alice@example.com"}"#)
        #expect(retried.status == 200, "\(retried.body)")
        #expect(retried.json["delivered"] as? [Int] == [1])
        let record = try server.ledger.events(matching: EventQuery(types: ["ledger.dead_letter_retried"]))
            .last
        #expect(record?.actor == "user:alice@example.com")
        #expect(
            try await server.request(
                .POST, "/v1/consumers/erp/dead-letters/1/retry",
                body: #"{"reason":"again","actor":"user:a@b.c"}"#
            ).status == 404)
        try await downstream.stop()
        try await server.stop()
    }
}
