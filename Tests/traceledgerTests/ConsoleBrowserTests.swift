import Foundation
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

/// The console in a real browser: headless Chromium from Debian, driven over the DevTools protocol
/// (tools/browser/drive.py), against `traceledger serve` on a store of generated flows with planted problems
/// (orders paid and never accepted, refunds) and a real downstream that refused one event.
///
/// Screenshots of the trace, findings and feeds pages are written on every run and must not be blank;
/// `TRACELEDGER_UPDATE_SCREENSHOTS=1` writes them to docs/console/, where the README shows them.
@Suite(.serialized) struct ConsoleBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a plan in Chromium; its named results and the errors the pages raised.
    static func drive(_ plan: [[String: String]], in directory: TemporaryDirectory) throws -> (
        results: [String: Any], errors: [[String: Any]], url: String
    ) {
        let path = directory.file("plan-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: plan).write(to: URL(fileURLWithPath: path))
        let driver = repository.appendingPathComponent("tools/browser/drive.py").path
        let (status, output) = try PythonScript.run(
            "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
            [driver, path])
        guard status == 0, let line = output.split(separator: "\n").last,
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            throw BrowserError(description: "the browser driver failed (\(status)): \(output)")
        }
        return (
            object["results"] as? [String: Any] ?? [:], object["errors"] as? [[String: Any]] ?? [],
            object["url"] as? String ?? ""
        )
    }

    struct BrowserError: Error, CustomStringConvertible { let description: String }

    /// A store whose flows are spread over hours, so the ERP's grace passes and orders it never accepted show.
    static func store(_ fixture: CLIFixture) throws {
        var configuration = WorkloadConfiguration.realistic
        configuration.seed = 77
        configuration.meanOrderIntervalMilliseconds = 90_000
        configuration.missingERPRate = 0.1
        configuration.refundRate = 0.2
        let lines = WorkloadGenerator(configuration).prefix(1_500).map(\.line)
        #expect(try fixture.run("init").status == 0)
        #expect(try fixture.run("import", try fixture.write(lines)).status == 0)
    }

    /// A promise that resolves to true once `condition` holds (checked every 50 ms), or to false after 10 s.
    static func waitFor(_ condition: String) -> String {
        """
        new Promise(resolve => { const started = Date.now(); const check = () => { if (\(condition)) resolve(true); \
        else if (Date.now() - started > 10000) resolve(false); else setTimeout(check, 50); }; check(); })
        """
    }

    /// `text` as a JavaScript string literal.
    static func javaScriptString(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast()
            .description
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func anInvestigationInTheConsole() async throws {
        let fixture = CLIFixture()
        try Self.store(fixture)
        // The planted problem: an order paid and never accepted by the ERP.
        let findings = try fixture.run("reconcile", "--json").lines.map(Self.json)
        let unaccepted = try #require(findings.first { $0["rule"] as? String == "paid-not-accepted" })
        let order = try #require(unaccepted["entityId"] as? String)
        let trace = try #require(unaccepted["traceId"] as? String)
        // A refund, for the entity page's slider.
        let refund = Self.json(
            try #require(try fixture.run("events", "--type", "payment.refunded", "--json", "--limit", "1").lines.first))
        let payment = try #require(refund["entityId"] as? String)
        let refundPosition = try #require(refund["position"] as? Int)
        let paymentHistory = try fixture.run("history", "payment", payment, "--json").lines.map(Self.json)
        let refundIndex = try #require(paymentHistory.firstIndex { $0["position"] as? Int == refundPosition }) + 1
        // A downstream that refuses the order's first event: one dead letter to work through.
        let traceEvents = try fixture.run("trace", trace, "--json").lines.map(Self.json)
        let refused = try #require(traceEvents.first)
        let refusedId = try #require(refused["eventId"] as? String)
        let refusedPosition = try #require(refused["position"] as? Int)
        let downstream = try await DownstreamServer()
        downstream.respond { request, _ in request.idempotencyKey == refusedId ? .status(422) : .ok }
        let replay = try fixture.run("replay", "--to", downstream.url, "--consumer", "erp", "--backoff", "5ms")
        #expect(replay.status == 5, "\(replay.stderr)")
        downstream.respond { _, _ in .ok }
        // The replay's own ledger events carry the wall clock: they must not move the clock the rules measure
        // against (they did: the replay made weeks-old orders look stalled).
        let findingsNow = try fixture.run("reconcile", "--json").lines.count
        #expect(findingsNow == findings.count, "the replay changed the findings: \(findings.count) → \(findingsNow)")
        // Two tokens: an operator who may do everything, and a reader.
        let tokens = fixture.directory.file("tokens")
        func token(_ name: String, _ roles: String) throws -> String {
            let added = try CommandRunner.run(["token", "add", name, "--roles", roles, "--tokens", tokens])
            #expect(added.status == 0, "\(added.stderr)")
            return added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let operatorToken = try token("alice@example.com", "read,audit,operate")
        let readerToken = try token("viewer", "read")
        let ingestToken = try token("shop-connector", "ingest")
        // Two events posted while the live page (payments only) is open: the payment shows, the order not.
        let liveOrder = EventLine.make(
            type: "order.created", entityId: "SO-LIVE-1",
            payload: #"{"customerId":"CUST-LIVE","channel":"web","currency":"EUR","lines":[{"sku":"SKU-1","name":"Lamp","quantity":1,"unitPrice":"10.00","taxRate":"0.19","lineTotal":"10.00"}],"netTotal":"8.40","taxTotal":"1.60","grandTotal":"10.00"}"#,
            traceId: nil)
        let livePayment = EventLine.make(
            type: "payment.authorized", entityId: "pi_live_1",
            payload: #"{"orderId":"SO-LIVE-1","amount":"10.00","currency":"EUR","provider":"stripe","method":"card"}"#,
            traceId: nil, origin: "stripe", actor: "service:stripe-webhooks")
        func post(_ line: String) -> String {
            """
            fetch('/v1/events', {method: 'POST', headers: {'Authorization': 'Bearer \(ingestToken)',
              'Content-Type': 'application/json'}, body: \(Self.javaScriptString(line))}).then(r => r.status)
            """
        }
        let (server, base) = try await ServeCommandTests.serve(fixture, extra: ["--tokens", tokens])
        defer { server.process.terminate() }
        let shots = TemporaryDirectory("console-shots")
        let blankCheck = "document.body.innerText.length"
        let investigation: [[String: String]] = [
            ["goto": base + "/"],
            ["eval": "location.pathname", "name": "signInPage"],
            ["fill": "input[name=token]", "value": operatorToken],
            ["submit": "input[name=token]"],
            ["eval": "location.pathname", "name": "afterSignIn"],
            ["fill": "main input[name=q]", "value": order],
            ["submit": "main input[name=q]"],
            ["eval": "location.pathname", "name": "searchLanded"],
            ["eval": "[...document.querySelectorAll('a.event-mark')].map(a => a.dataset.lane + ' ' + a.dataset.position)",
             "name": "marks"],
            ["eval": "[...document.querySelectorAll('g.finding-mark')].map(g => g.dataset.lane + ' ' + g.dataset.rule)",
             "name": "findingMarks"],
            ["eval": blankCheck, "name": "traceText"],
            ["screenshot": shots.file("trace.png")],
            ["goto": base + "/findings"],
            ["eval": "document.querySelectorAll('#findings tr.finding-row').length", "name": "findingRows"],
            ["eval": "document.querySelector('#finding-summary').innerText", "name": "findingSummary"],
            ["screenshot": shots.file("findings.png")],
            ["goto": base + "/entities/payment/\(payment)?at=\(refundIndex - 1)"],
            ["eval": "document.getElementById('state').textContent", "name": "stateBefore"],
            ["set": "input[name=at]", "value": "\(refundIndex)"],
            ["eval": "document.getElementById('state').textContent", "name": "stateAfter"],
            ["goto": base + "/entities/payment/\(payment)?at=\(refundIndex)&from=\(refundIndex - 1)&to=\(refundIndex)"],
            ["eval": "[...document.querySelectorAll('#diff tr.diff-row')].map(r => r.dataset.field + ' ' + r.cells[3].innerText)",
             "name": "diff"],
            ["goto": base + "/feeds"],
            ["eval": "document.querySelector('#consumers').innerText", "name": "consumers"],
            ["screenshot": shots.file("feeds.png")],
            ["fill": "tr[data-position='\(refusedPosition)'] input[name=reason]", "value": "ERP mapping fixed"],
            ["submit": "tr[data-position='\(refusedPosition)'] input[name=reason]"],
            ["eval": "document.getElementById('outcome').innerText", "name": "outcome"],
            ["goto": base + "/traces/\(trace)"],
            ["eval": "[...document.querySelectorAll('a.event-mark')].map(a => a.dataset.type)", "name": "typesAfter"],
            ["goto": base + "/live?domain=payment"],
            ["eval": Self.waitFor("document.getElementById('live-events').dataset.connected === 'yes'"),
             "name": "liveConnected"],
            ["eval": post(liveOrder), "name": "postedOrder"],
            ["eval": post(livePayment), "name": "postedPayment"],
            ["eval": Self.waitFor("document.querySelectorAll('#live-events tr').length > 0")
                + ".then(() => [...document.querySelectorAll('#live-events tr')].map(r => r.cells[3].innerText))",
             "name": "liveRows"],
            ["goto": base + "/integrity"],
            ["submit": "form[action='/integrity/verify'] button"],
            ["eval": "document.getElementById('verify-result').innerText", "name": "verified"],
        ]
        let run = try Self.drive(investigation, in: shots)
        let results = run.results
        #expect(run.errors.isEmpty, "the pages raised errors: \(run.errors)")
        #expect(results["signInPage"] as? String == "/sign-in")
        #expect(results["afterSignIn"] as? String == "/")
        // Search by the order number lands on its trace, with every event on its system's lane…
        #expect(results["searchLanded"] as? String == "/traces/\(trace)")
        let marks = results["marks"] as? [String] ?? []
        let expectedMarks = traceEvents.map { event -> String in
            let origin = event["origin"] as? String ?? ""
            let lane = ["shopify": "shop", "stripe": "payment", "erp": "erp", "wms": "warehouse"][origin] ?? origin
            return "\(lane) \(event["position"] as? Int ?? 0)"
        }
        #expect(Set(marks) == Set(expectedMarks), "marks \(marks), expected \(expectedMarks)")
        // …and the finding drawn on the ERP's lane.
        #expect((results["findingMarks"] as? [String] ?? []).contains("erp paid-not-accepted"))
        #expect((results["traceText"] as? Int ?? 0) > 500, "the trace page is blank")
        #expect((results["findingRows"] as? Int ?? 0) == findingsNow)
        #expect((results["findingSummary"] as? String ?? "").contains("paid-not-accepted"))
        // The slider shows the payment before and after its refund, and the diff names the refund.
        let before = results["stateBefore"] as? String ?? ""
        let after = results["stateAfter"] as? String ?? ""
        #expect(!before.isEmpty && before != after, "before \(before), after \(after)")
        let diff = results["diff"] as? [String] ?? []
        #expect(!diff.isEmpty && diff.allSatisfy { $0.contains("#\(refundPosition) payment.refunded") }, "\(diff)")
        // The dead letter, retried from the Feeds page, reaches the downstream and shows on its trace.
        #expect((results["consumers"] as? String ?? "").contains("erp"))
        #expect((results["outcome"] as? String ?? "").contains("delivered #\(refusedPosition)"))
        #expect(downstream.applied.contains(refusedId))
        #expect((results["typesAfter"] as? [String] ?? []).contains("ledger.dead_letter_retried"))
        #expect((results["verified"] as? String ?? "").contains("intact"))
        #expect(results["liveConnected"] as? Bool == true)
        #expect(results["postedOrder"] as? Int == 201 && results["postedPayment"] as? Int == 201)
        #expect(results["liveRows"] as? [String] == ["payment.authorized"], "\(results["liveRows"] ?? "")")
        for name in ["trace", "findings", "feeds"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: shots.file("\(name).png"))[.size] as? Int)
                ?? 0
            #expect(size > 20_000, "the \(name) screenshot is blank (\(size) bytes)")
            if ProcessInfo.processInfo.environment["TRACELEDGER_UPDATE_SCREENSHOTS"] == "1" {
                let destination = Self.repository.appendingPathComponent("docs/console/\(name).png").path
                try? FileManager.default.removeItem(atPath: destination)
                try FileManager.default.createDirectory(
                    atPath: Self.repository.appendingPathComponent("docs/console").path,
                    withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: shots.file("\(name).png"), toPath: destination)
            }
        }

        // A read token sees the trace but no action, and the server refuses its actions.
        let reading: [[String: String]] = [
            ["goto": base + "/sign-in"],
            ["fill": "input[name=token]", "value": readerToken],
            ["submit": "input[name=token]"],
            ["goto": base + "/traces/\(trace)"],
            ["eval": "document.querySelectorAll('main form[method=post]').length", "name": "forms"],
            ["eval": "[...document.querySelectorAll('header nav a')].map(a => a.innerText)", "name": "navigation"],
            ["goto": base + "/feeds"],
            ["eval": "document.body.innerText", "name": "feeds"],
            ["eval": """
                fetch('/feeds/erp/dead-letters/\(refusedPosition)/retry', {method: 'POST',
                  headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                  body: 'reason=try&csrf=' + document.querySelector('input[name=csrf]').value}).then(r => r.status)
                """, "name": "retryStatus"],
        ]
        let reader = try Self.drive(reading, in: shots)
        let forbiddenLoads = reader.errors.filter { !(($0["error"] as? String ?? "").contains("403")) }
        #expect(forbiddenLoads.isEmpty, "\(reader.errors)")
        #expect(reader.results["forms"] as? Int == 0)
        #expect(reader.results["navigation"] as? [String] == ["Search", "Live"])
        #expect((reader.results["feeds"] as? String ?? "").contains("lacks the role operate"))
        #expect(reader.results["retryStatus"] as? Int == 403)
        try await downstream.stop()
    }
}
