import Foundation
import Testing
import TraceLedgerTesting

/// `replay --format cloudevents` read by the CloudEvents Python SDK (PyPI `cloudevents`), an independent
/// reader: what a CloudEvents downstream receives, in structured and binary mode.
@Suite(.serialized) struct CloudEventsReplayTests {
    /// An HTTP receiver that parses every request with the SDK's `from_http` and writes what it read, one JSON
    /// line per event, to `received.ndjson`.
    static let receiver = #"""
        import json, sys, http.server
        try:
            from cloudevents.v1.http import from_http
        except ImportError:
            from cloudevents.http import from_http
        directory = sys.argv[1]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event = from_http({k.lower(): v for k, v in self.headers.items()}, body)
                with open(directory + "/received.ndjson", "a") as out:
                    out.write(json.dumps({"attributes": dict(event.get_attributes()), "data": event.data,
                                          "contentType": self.headers["Content-Type"]}) + "\n")
                self.send_response(200)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        with open(directory + "/port.tmp", "w") as out:
            out.write(str(server.server_address[1]))
        import os
        os.rename(directory + "/port.tmp", directory + "/port")
        server.serve_forever()
        """#

    func startReceiver(_ fixture: CLIFixture) throws -> (Process, Int) {
        let script = fixture.directory.file("receiver.py")
        try Self.receiver.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, fixture.directory.path]
        // Not the test's own output: a receiver left behind by a failed test would hold it open.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: fixture.directory.file("port"), encoding: .utf8),
                let port = Int(text)
            {
                return (process, port)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "the receiver did not start"])
    }

    func received(_ fixture: CLIFixture) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: fixture.directory.file("received.ndjson"), encoding: .utf8)
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    let order = EventLine.make(
        type: "order.created", entityId: "820982911946154508",
        payload:
            #"{"customerId":"207119551","currency":"USD","lines":[{"sku":"IPOD2008GREEN","quantity":1,"unitPrice":"199.00"}],"netTotal":"199.00","taxTotal":"0.00","grandTotal":"199.00","shopifyOrderId":820982911946154508}"#
    )

    @Test(arguments: ["cloudevents", "cloudevents-binary"])
    func theSDKReadsWhatReplaySends(format: String) throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let capture = EventLine.make(
            type: "payment.captured", entityId: "pi_1",
            payload: #"{"orderId":"820982911946154508","amount":"199.00","currency":"USD"}"#, traceId: nil,
            origin: "stripe",
            actor: "service:stripe-webhooks")
        #expect(try fixture.run("append", stdin: order + "\n" + capture + "\n").status == 0)
        let envelopes = try fixture.run("events", "--json").lines
        let (receiver, port) = try startReceiver(fixture)
        defer {
            kill(receiver.processIdentifier, SIGKILL)
            receiver.waitUntilExit()
        }
        let replay = try fixture.run(
            "replay", "--to", "http://127.0.0.1:\(port)/events", "--consumer", "ce", "--format", format)
        #expect(replay.status == 0, "\(replay.stderr)")
        let events = try received(fixture)
        #expect(events.count == 2)
        for (event, envelope) in zip(events, envelopes) {
            let attributes = try #require(event["attributes"] as? [String: Any])
            let expected = try #require(
                try JSONSerialization.jsonObject(with: Data(envelope.utf8)) as? [String: Any])
            #expect(attributes["specversion"] as? String == "1.0")
            #expect(attributes["id"] as? String == expected["eventId"] as? String)
            #expect(attributes["source"] as? String == expected["origin"] as? String)
            #expect(attributes["type"] as? String == expected["type"] as? String)
            #expect(attributes["subject"] as? String == expected["entityId"] as? String)
            #expect(attributes["traceid"] as? String == expected["traceId"] as? String)
            #expect(attributes["actor"] as? String == expected["actor"] as? String)
            #expect("\(attributes["ledgerposition"] ?? "")" == "\(expected["position"] ?? "")")
            #expect(attributes["time"] as? String == expected["occurredAt"] as? String)
            #expect((event["data"] as? [String: Any])?["currency"] as? String == "USD")
            #expect(
                (event["contentType"] as? String)
                    == (format == "cloudevents" ? "application/cloudevents+json" : "application/json"))
        }
        // The 64-bit id reached the SDK digit for digit (Python's integers are exact).
        let raw = try String(contentsOfFile: fixture.directory.file("received.ndjson"), encoding: .utf8)
        #expect(raw.contains(#""shopifyOrderId": 820982911946154508"#))
        // Both events are on the order's trace, which the traceparent carries.
        let first = try #require(events.first?["attributes"] as? [String: Any])
        #expect((first["traceparent"] as? String)?.contains(EventLine.defaultTrace) == true)
        #expect(
            (events.last?["attributes"] as? [String: Any])?["traceid"] as? String == EventLine.defaultTrace)
    }

    @Test func binaryModeNeedsHTTPAndOneEventPerRequest() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        #expect(try fixture.run("append", stdin: order + "\n").status == 0)
        let stdout = try fixture.run(
            "replay", "--to", "stdout", "--consumer", "c", "--format", "cloudevents-binary")
        #expect(stdout.status == 2 && stdout.stderr.contains("needs an http(s):// sink"), "\(stdout.stderr)")
        let batched = try fixture.run(
            "replay", "--to", "http://127.0.0.1:9/", "--consumer", "c", "--format", "cloudevents-binary",
            "--batch", "5")
        #expect(batched.status == 2 && batched.stderr.contains("one event per request"))
        let structured = try fixture.run(
            "replay", "--to", "stdout", "--consumer", "c", "--format", "cloudevents")
        #expect(structured.status == 0)
        #expect(structured.lines.first?.hasPrefix(#"{"specversion":"1.0","id":""#) == true)
        #expect(structured.lines.first?.hasSuffix(#""shopifyOrderId":820982911946154508}}"#) == true)
    }
}
