import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import TraceLedgerTesting
import TraceLedgerWorkload

/// `traceledger serve` as an operator runs it: a real process, real signals, the CLI beside it.
@Suite struct ServeCommandTests {
    /// Starts `traceledger serve` on a free port and waits until it answers.
    static func serve(_ fixture: CLIFixture, extra: [String] = [], environment: [String: String] = [:])
        async throws -> (CommandRunner.RunningCommand, String)
    {
        let port = Int.random(in: 20_000...40_000)
        let process = try CommandRunner.start(
            ["serve", "--store", fixture.store, "--listen", "127.0.0.1:\(port)"] + extra,
            environment: environment)
        let base = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let answer = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: base + "/healthz"), timeout: .seconds(1)),
                answer.status == .ok
            {
                return (process, base)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.process.terminate()
        throw CancellationError()
    }

    /// POSTs one event. A request caught on a connection the stopping server closes fails by its timeout.
    static func post(_ base: String, _ line: String, timeout: Duration = .seconds(30)) async throws
        -> (status: UInt, body: String)
    {
        var request = HTTPClientRequest(url: base + "/v1/events")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: line))
        let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test func sigtermDuringConcurrentAppendsLosesNoAcknowledgedEvent() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let (server, base) = try await Self.serve(fixture)
        let lines = WorkloadGenerator.lines(seed: 71, count: 4_000)
        let acknowledged = AcknowledgedIDs()
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<16 {
                    group.addTask {
                        for line in lines[(client * 250)..<((client + 1) * 250)] {
                            guard let answer = try? await Self.post(base, line) else {
                                return
                            }
                            if answer.status == 201 || answer.status == 200,
                                let id = answer.body.split(separator: "\"").dropFirst(3).first
                            {
                                acknowledged.add(String(id))
                            }
                        }
                    }
                }
            }
        }
        while acknowledged.count < 300 { try await Task.sleep(for: .milliseconds(20)) }
        let stopping = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        #expect(ContinuousClock.now - stopping < .seconds(10))
        await load.value
        #expect(server.process.terminationStatus == 0)
        // Restarted, the store holds every acknowledged event, gaplessly, and the chain verifies.
        #expect(try fixture.run("verify").status == 0)
        let stored = Set(
            try fixture.run("events", "--json", "--limit", "10000").lines.compactMap { line in
                line.firstRange(of: #/"eventId":"([0-9a-f-]+)"/#).map {
                    String(line[$0].dropFirst(11).dropLast())
                }
            })
        let ids = acknowledged.all
        #expect(ids.count >= 300)
        #expect(
            ids.subtracting(stored).isEmpty,
            "\(ids.subtracting(stored).count) acknowledged events are missing")
    }

    @Test func theCLIImportsIntoAServedStoreWhileTheServerAppends() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let (server, base) = try await Self.serve(fixture)
        let file = try fixture.write(WorkloadGenerator.lines(seed: 72, count: 3_000))
        let importer = try CommandRunner.start(["import", file, "--store", fixture.store])
        var posted = 0
        for line in WorkloadGenerator.lines(seed: 73, count: 300) {
            let answer = try await Self.post(base, line)
            if answer.status == 201 { posted += 1 }
        }
        importer.process.waitUntilExit()
        #expect(importer.process.terminationStatus == 0)
        #expect(posted == 300)
        var request = HTTPClientRequest(url: base + "/v1/verify")
        request.method = .GET
        let verify = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await verify.body.collect(upTo: 1 << 20))
        #expect(body.contains("\"intact\":true"))
        #expect(body.contains("\"events\":3300"), "\(body)")
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
    }

    /// The Prometheus text parses with the official Python client, with the metrics the docs name.
    @Test func metricsAreValidPrometheusTextWithTheDocumentedNames() async throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let (server, base) = try await Self.serve(fixture)
        for line in WorkloadGenerator.lines(seed: 74, count: 50) { _ = try await Self.post(base, line) }
        _ = try await Self.post(base, WorkloadGenerator.lines(seed: 74, count: 1)[0])  // a duplicate
        _ = try await Self.post(base, #"{"not":"an event"}"#)  // a rejection
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(60))
        #expect(response.headers["Content-Type"].first?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let path = fixture.directory.file("metrics.txt")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            families = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
            for name, kind in [("traceledger_events_appended", "counter"), ("traceledger_duplicate_events", "counter"),
                               ("traceledger_rejected_requests", "counter"), ("traceledger_append_duration_seconds", "histogram"),
                               ("traceledger_head_position", "gauge"), ("traceledger_store_bytes", "gauge")]:
                assert name in families, name + " missing: " + ", ".join(sorted(families))
                assert families[name].type == kind, name + " is " + families[name].type
            appended = sum(s.value for s in families["traceledger_events_appended"].samples if s.name.endswith("_total"))
            assert appended == 50, appended
            assert all(set(s.labels) <= {"domain", "origin", "le", "reason", "consumer"} for f in families.values() for s in f.samples)
            print("ok", len(families))
            """
        let (status, said) = try PythonScript.run(script, [path])
        #expect(status == 0, "\(said)\n\(text)")
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
    }

    /// A store started with a 1 MiB map grows it as it fills, in the CLI that fills it and in the server
    /// beside it, which takes up the new size (MDB_MAP_RESIZED) and goes on answering and appending.
    @Test func theMapGrowsAcrossProcesses() async throws {
        let fixture = CLIFixture()
        let small = ["TRACELEDGER_MAP_SIZE": String(1 << 20)]
        #expect(try CommandRunner.run(["init", "--store", fixture.store], environment: small).status == 0)
        let (server, base) = try await Self.serve(fixture, environment: small)
        let file = try fixture.write(WorkloadGenerator.lines(seed: 75, count: 20_000))
        let imported = try CommandRunner.run(["import", file, "--store", fixture.store], environment: small)
        #expect(imported.status == 0, "\(imported.stderr)")
        let appended = try await Self.post(base, WorkloadGenerator.lines(seed: 76, count: 1)[0])
        #expect(appended.status == 201, "\(appended.body)")
        let stats = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: base + "/v1/stats"), timeout: .seconds(30))
        let body = String(buffer: try await stats.body.collect(upTo: 1 << 20))
        #expect(body.contains("\"events\":20001"), "\(body)")
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        #expect(try CommandRunner.run(["verify", "--store", fixture.store]).status == 0)
    }

    @Test func aNonLoopbackListenWithoutTokensRefusesToStart() throws {
        let fixture = CLIFixture()
        #expect(try fixture.run("init").status == 0)
        let result = try fixture.run("serve", "--listen", "0.0.0.0:18999")
        #expect(result.status == 2)
        #expect(result.stderr.contains("without --tokens"))
    }

    @Test func tokenAddPrintsTheTokenOnceAndStoresItsDigest() throws {
        let directory = TemporaryDirectory("tokens")
        let path = directory.file("tokens")
        let result = try CommandRunner.run([
            "token", "add", "shop-connector", "--roles", "ingest,read", "--tokens", path,
        ])
        #expect(result.status == 0)
        let token = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("tl_") && token.count > 30)
        let file = try String(contentsOfFile: path, encoding: .utf8)
        #expect(file.hasPrefix("shop-connector ingest,read ") && !file.contains(token))
        let again = try CommandRunner.run([
            "token", "add", "shop-connector", "--roles", "read", "--tokens", path,
        ])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already"))
    }
}

/// Event ids the server acknowledged, collected from concurrent clients.
final class AcknowledgedIDs: Sendable {
    private let ids = Mutex<Set<String>>([])
    func add(_ id: String) { ids.withLock { _ = $0.insert(id) } }
    var count: Int { ids.withLock { $0.count } }
    var all: Set<String> { ids.withLock { $0 } }
}
