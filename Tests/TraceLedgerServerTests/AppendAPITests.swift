import Foundation
import NIOHTTP1
import Testing
import TraceLedger
import TraceLedgerTesting

/// `POST /v1/events`: what a connector posting events sees.
@Suite struct AppendAPITests {
    @Test func oneEventIs201ThenAPureDuplicateIs200WithTheOriginalPosition() async throws {
        let server = try await ServerHarness.start()
        let line = Events.payment("pi_1")
        let created = try await server.request(.POST, "/v1/events", body: line)
        #expect(created.status == 201)
        #expect(created.json["position"] as? Int == 1)
        #expect(created.json["streamVersion"] as? Int == 1)
        #expect((created.json["hash"] as? String)?.count == 64)
        #expect(created.headers["Content-Type"].first == "application/json")
        let again = try await server.request(.POST, "/v1/events", body: line)
        #expect(again.status == 200)
        #expect(again.json["position"] as? Int == 1 && again.json["duplicate"] as? Bool == true)
        #expect(try server.ledger.head().position == 1)
        try await server.stop()
    }

    @Test func anArrayIsOneAtomicBatchAndNothingOfARejectedOneIsWritten() async throws {
        let server = try await ServerHarness.start()
        let good = try await server.request(
            .POST, "/v1/events", body: "[\(Events.payment("pi_1")),\(Events.payment("pi_2"))]")
        #expect(good.status == 201)
        #expect((good.json["events"] as? [[String: Any]])?.map { $0["position"] as? Int } == [1, 2])
        let bad = EventLine.make(type: "payment.captured", entityId: "pi_4", payload: #"{"orderId":"SO-1"}"#)
        let rejected = try await server.request(
            .POST, "/v1/events", body: "[\(Events.payment("pi_3")),\(bad)]")
        #expect(rejected.status == 422)
        #expect(rejected.errorKind == "invalidEvent")
        let error = rejected.json["error"] as? [String: Any]
        #expect(error?["field"] as? String == "payload.amount")
        #expect(error?["rule"] as? String == "required")
        #expect(try server.ledger.head().position == 2)
        // A conflict in the middle rejects the whole batch too.
        let conflict = try await server.request(
            .POST, "/v1/events",
            body: "[\(Events.payment("pi_5")),\(Events.payment("pi_1", expectedVersion: 0))]")
        #expect(conflict.status == 409)
        #expect((conflict.json["error"] as? [String: Any])?["batchIndex"] as? Int == 1)
        #expect(try server.ledger.head().position == 2)
        try await server.stop()
    }

    @Test func conflictsAre409() async throws {
        let server = try await ServerHarness.start()
        let id = UUID().uuidString.lowercased()
        #expect(
            try await server.request(.POST, "/v1/events", body: Events.payment("pi_1", eventId: id)).status
                == 201)
        let reused = try await server.request(.POST, "/v1/events", body: Events.payment("pi_9", eventId: id))
        #expect(reused.status == 409)
        #expect(reused.errorKind == "conflict")
        #expect((reused.json["error"] as? [String: Any])?["message"] as? String ?? "" != "")
        let stale = try await server.request(
            .POST, "/v1/events", body: Events.payment("pi_1", expectedVersion: 0))
        #expect(stale.status == 409)
        #expect((stale.json["error"] as? [String: Any])?["rule"] as? String == "expectedVersion")
        try await server.stop()
    }

    @Test func ndjsonRejectionsNameTheLine() async throws {
        let server = try await ServerHarness.start()
        let body = [Events.payment("pi_1"), Events.payment("pi_2"), #"{"traceId":"x"}"#].joined(
            separator: "\n")
        let rejected = try await server.request(
            .POST, "/v1/events", body: body, headers: [("Content-Type", "application/x-ndjson")])
        #expect(rejected.status == 422)
        #expect((rejected.json["error"] as? [String: Any])?["line"] as? Int == 3)
        #expect(try server.ledger.head().position == 0)
        let accepted = try await server.request(
            .POST, "/v1/events", body: body.split(separator: "\n").prefix(2).joined(separator: "\n"),
            headers: [("Content-Type", "application/x-ndjson")])
        #expect(accepted.status == 201)
        #expect((accepted.json["events"] as? [[String: Any]])?.map { $0["line"] as? Int } == [1, 2])
        try await server.stop()
    }

    @Test func malformedTooLargeAndUnsupportedBodiesSayWhatIsWrong() async throws {
        let server = try await ServerHarness.start()
        let malformed = try await server.request(.POST, "/v1/events", body: #"{"traceId": "#)
        #expect(malformed.status == 400)
        #expect(malformed.errorKind == "invalidEvent")
        let note = String(repeating: "x", count: 300_000)
        let big = EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload: #"{"orderId":"SO-1","amount":"1.00","currency":"EUR","note":"\#(note)"}"#)
        let tooLarge = try await server.request(.POST, "/v1/events", body: big)
        #expect(tooLarge.status == 413)
        #expect(tooLarge.errorKind == "tooLarge")
        let huge = try await server.request(.POST, "/v1/events", body: String(repeating: " ", count: 9 << 20))
        #expect(huge.status == 413, "\(huge.body)")
        let xml = try await server.request(
            .POST, "/v1/events", body: "<event/>", headers: [("Content-Type", "application/xml")])
        #expect(xml.status == 415)
        #expect(try server.ledger.head().position == 0)
        try await server.stop()
    }

    @Test func idempotencyKeyAndTraceparentFillAMissingIdAndTrace() async throws {
        let server = try await ServerHarness.start()
        let line = Events.payment("pi_1", eventId: nil)
            .replacingOccurrences(of: #""traceId":"\#(Events.trace)","#, with: "")
        #expect(!line.contains("traceId"))
        let headers = [
            ("Idempotency-Key", "\"order-1042-capture\""),
            ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ]
        let first = try await server.request(.POST, "/v1/events", body: line, headers: headers)
        #expect(first.status == 201, "\(first.body)")
        let event = try #require(try server.ledger.event(at: 1))
        #expect(event.traceId == "0af7651916cd43dd8448eb211c80319c")
        // The same key again is the same event: a duplicate, not a second copy.
        let again = try await server.request(.POST, "/v1/events", body: line, headers: headers)
        #expect(again.status == 200)
        #expect(again.json["eventId"] as? String == event.eventId.description)
        let badTrace = try await server.request(
            .POST, "/v1/events", body: line, headers: [("traceparent", "not-a-trace")])
        #expect(badTrace.status == 400)
        try await server.stop()
    }
}
