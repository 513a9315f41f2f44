import Foundation
import NIOHTTP1
import Testing
import TraceLedger
import TraceLedgerTesting

/// `POST /v1/cloudevents`: CloudEvents 1.0 in structured, batch and binary mode, some of them written by the
/// CloudEvents Python SDK (PyPI `cloudevents`), an independent producer.
@Suite struct CloudEventTests {
    static let structured = [("Content-Type", "application/cloudevents+json")]

    func event(id: String = "A-1", subject: String = "SO-1", extra: String = "") -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"https://erp.example.com/orders","type":"order.accepted","subject":"\#(subject)","time":"2026-11-02T09:15:03Z"\#(extra),"data":{"erpOrderId": "4500012345", "shopOrderId": 4500012345678901234}}"#
    }

    @Test func aStructuredEventIsRecordedOnceWithItsDataByteExact() async throws {
        let server = try await ServerHarness.start()
        defer { Task { try await server.stop() } }
        let first = try await server.request(
            .POST, "/v1/cloudevents", body: event(), headers: Self.structured)
        #expect(first.status == 201, "\(first.body)")
        let again = try await server.request(
            .POST, "/v1/cloudevents", body: event(), headers: Self.structured)
        #expect(again.status == 200 && again.json["duplicate"] as? Bool == true)
        let recorded = try #require(try server.ledger.event(at: 1))
        #expect(
            recorded.origin == "erp.example.com" && recorded.entityId == "SO-1"
                && recorded.type == "order.accepted")
        #expect(recorded.actor == "service:erp.example.com")
        #expect(recorded.payloadText == #"{"erpOrderId": "4500012345", "shopOrderId": 4500012345678901234}"#)
        #expect(recorded.occurredAt == Timestamp(rfc3339: "2026-11-02T09:15:03Z"))
        #expect(try server.ledger.head().position == 1)
    }

    @Test func withoutATraceItJoinsTheOrdersTraceAndATraceparentIsKept() async throws {
        let server = try await ServerHarness.start()
        defer { Task { try await server.stop() } }
        let order = EventLine.make(
            type: "order.created", entityId: "SO-1", payload: EventLine.minimalPayloads["order.created"]!,
            traceId: "incident-7")
        #expect(try await server.request(.POST, "/v1/events", body: order).status == 201)
        #expect(
            try await server.request(.POST, "/v1/cloudevents", body: event(), headers: Self.structured).status
                == 201)
        #expect(try server.ledger.event(at: 2)?.traceId == "incident-7")
        let traced = event(
            id: "A-2", subject: "SO-2",
            extra:
                #","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","actor":"user:erp-clerk""#
        )
        #expect(
            try await server.request(.POST, "/v1/cloudevents", body: traced, headers: Self.structured).status
                == 201)
        let third = try #require(try server.ledger.event(at: 3))
        #expect(third.traceId == "0af7651916cd43dd8448eb211c80319c" && third.actor == "user:erp-clerk")
    }

    @Test func aBatchIsAtomicAndNamesTheElementRefused() async throws {
        let server = try await ServerHarness.start()
        defer { Task { try await server.stop() } }
        let batch = [("Content-Type", "application/cloudevents-batch+json")]
        let bad =
            #"{"specversion":"1.0","id":"B-2","source":"erp","type":"order.accepted","time":"2026-11-02T09:15:03Z","data":{"erpOrderId":"1"}}"#
        let refused = try await server.request(
            .POST, "/v1/cloudevents", body: "[\(event(id: "B-1")),\(bad)]", headers: batch)
        #expect(refused.status == 422, "\(refused.body)")
        let error = try #require(refused.json["error"] as? [String: Any])
        #expect(error["line"] as? Int == 2 && error["field"] as? String == "subject")
        #expect(try server.ledger.head().position == 0)
        let accepted = try await server.request(
            .POST, "/v1/cloudevents", body: "[\(event(id: "B-1")),\(event(id: "B-2", subject: "SO-2"))]",
            headers: batch)
        #expect(accepted.status == 201 && (accepted.json["events"] as? [Any])?.count == 2)
    }

    @Test func theWrongShapeIsAClearError() async throws {
        let server = try await ServerHarness.start()
        defer { Task { try await server.stop() } }
        let plain = try await server.request(.POST, "/v1/cloudevents", body: event())
        #expect(plain.status == 415 && plain.body.contains("ce-* headers"))
        let base64 =
            #"{"specversion":"1.0","id":"1","source":"erp","type":"order.accepted","subject":"SO-1","time":"2026-11-02T09:15:03Z","data_base64":"e30="}"#
        let refused = try await server.request(
            .POST, "/v1/cloudevents", body: base64, headers: Self.structured)
        #expect(refused.status == 422 && refused.body.contains("data_base64"))
        let version = try await server.request(
            .POST, "/v1/cloudevents", body: event().replacingOccurrences(of: "\"1.0\"", with: "\"0.3\""),
            headers: Self.structured)
        #expect(version.status == 422 && version.body.contains("CloudEvents 1.0"))
        #expect(try server.ledger.head().position == 0)
    }

    /// The SDK writes an event in both HTTP modes; the server records what it meant.
    @Test func eventsTheSDKWritesAreRecorded() async throws {
        let server = try await ServerHarness.start()
        defer { Task { try await server.stop() } }
        let script = """
            import sys, urllib.request, warnings
            warnings.simplefilter("ignore")
            try:
                from cloudevents.v1.http import CloudEvent, to_structured, to_binary
            except ImportError:
                from cloudevents.http import CloudEvent, to_structured, to_binary
            for mode, convert in (("structured", to_structured), ("binary", to_binary)):
                event = CloudEvent({"type": "payment.captured", "source": "stripe", "subject": "pi_" + mode,
                                    "id": "evt_" + mode, "time": "2026-11-02T09:15:03Z",
                                    "datacontenttype": "application/json"},
                                   {"orderId": "SO-9", "amount": "10.99", "currency": "EUR"})
                headers, body = convert(event)
                request = urllib.request.Request(sys.argv[1] + "/v1/cloudevents", data=body, headers=headers, method="POST")
                print(mode, urllib.request.urlopen(request).status)
            """
        let (status, said) = try PythonScript.run(script, [server.base])
        #expect(status == 0, "\(said)")
        #expect(said.contains("structured 201") && said.contains("binary 201"), "\(said)")
        let events = try server.ledger.events(matching: EventQuery())
        try #require(events.count == 2)
        #expect(events.map(\.entityId) == ["pi_structured", "pi_binary"])
        #expect(events.allSatisfy { $0.origin == "stripe" && $0.type == "payment.captured" })
        #expect(events[0].traceId == events[1].traceId)  // both name order SO-9
    }
}
