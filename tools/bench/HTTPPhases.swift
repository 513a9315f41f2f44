import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TraceLedger
import TraceLedgerServer

/// The measures of `ledger-bench --http`: the server in this process, its clients in this process too, all on
/// loopback.
enum HTTPPhases {
    /// The run's sizes (`ledger-bench --http` documents them).
    struct Plan {
        var clients = 64
        var requestsPerClient = 300
        var subscribers = 100
        var liveEvents = 2_000
        /// The live load's pace: one append every `liveInterval` (500 events/s).
        var liveInterval: Duration = .milliseconds(2)

        var appendEvents: Int { clients * requestsPerClient }
    }

    /// The inputs: request bodies for the HTTP clients, decoded events for the in-process appenders and the
    /// live load, all different events after the store's.
    struct Inputs {
        var bodies: [ByteBuffer]
        var appendEvents: [ProposedEvent]
        var liveEvents: [ProposedEvent]
    }

    /// Runs every measure on `ledger` (already loaded) and returns the figures; `problems` lists what went
    /// wrong. Stops the server, which closes the ledger, before returning.
    static func run(_ plan: Plan, inputs: Inputs, ledger: Ledger) async throws -> HTTPFigures {
        var figures = HTTPFigures()
        var logger = Logger(label: "ledger-bench.server")
        logger.logLevel = .warning
        let server = try await LocalServer.start(ledger: ledger, logger: logger)
        log("HTTP server listening on \(server.base)")
        let appendClient = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: clientConfiguration(connections: plan.clients))
        let liveClient = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: clientConfiguration(connections: plan.subscribers + 8))
        do {
            try await measure(
                plan, inputs: inputs, ledger: ledger, server: server, appendClient: appendClient,
                liveClient: liveClient, figures: &figures)
        } catch {
            try? await appendClient.shutdown()
            try? await liveClient.shutdown()
            try? await server.stop()
            throw error
        }
        try await appendClient.shutdown()
        try await liveClient.shutdown()
        try await server.stop()
        return figures
    }

    /// A client whose pool keeps up to `connections` keep-alive connections to the server.
    private static func clientConfiguration(connections: Int) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        return configuration
    }

    private static func measure(
        _ plan: Plan, inputs: Inputs, ledger: Ledger, server: LocalServer, appendClient: HTTPClient,
        liveClient: HTTPClient, figures: inout HTTPFigures
    ) async throws {
        let sampler = AnonymousMemorySampler()
        figures.anonymousBeforeBytes = try ProcessMemory.anonymousResidentBytes()
        sampler.start()
        do {
            try await loads(
                plan, inputs: inputs, ledger: ledger, server: server, appendClient: appendClient,
                liveClient: liveClient, figures: &figures)
        } catch {
            _ = try? sampler.stop()
            throw error
        }
        figures.anonymousPeakBytes = max(try sampler.stop(), figures.anonymousWithSubscribersBytes)
    }

    /// The appends in-process and over HTTP, then the live load.
    private static func loads(
        _ plan: Plan, inputs: Inputs, ledger: Ledger, server: LocalServer, appendClient: HTTPClient,
        liveClient: HTTPClient, figures: inout HTTPFigures
    ) async throws {
        let headBefore = try ledger.head().position
        log(
            "\(plan.clients) in-process appenders: \(plan.requestsPerClient) events each, `ledger.append(event)`"
        )
        let inProcess = try await LedgerPhases.concurrentAppends(
            inputs.appendEvents, appenders: plan.clients, into: ledger)
        figures.inProcessAppenders = plan.clients
        figures.inProcessEventsPerSecond = inProcess.eventsPerSecond
        figures.inProcessP50Microseconds = inProcess.latencies.p50
        figures.inProcessP99Microseconds = inProcess.latencies.p99

        log(
            "\(plan.clients) HTTP clients: \(plan.requestsPerClient) POST /v1/events each, one event per request"
        )
        try await warmUp(appendClient, base: server.base, connections: plan.clients)
        let http = try await httpAppends(
            appendClient, base: server.base, bodies: inputs.bodies, clients: plan.clients)
        figures.httpClients = plan.clients
        figures.requestsPerClient = plan.requestsPerClient
        figures.httpEventsPerSecond = http.eventsPerSecond
        figures.httpP50Microseconds = http.latencies.p50
        figures.httpP99Microseconds = http.latencies.p99
        figures.httpOverInProcessRatio = http.eventsPerSecond / inProcess.eventsPerSecond
        figures.problems += http.problems
        figures.httpConnections = try establishedConnections(toPort: server.port)
        let appended = try ledger.head().position - headBefore
        if appended != UInt64(inputs.appendEvents.count + inputs.bodies.count) {
            figures.problems.append(
                "the appends added \(appended) events, not \(inputs.appendEvents.count + inputs.bodies.count)"
            )
        }
        figures.anonymousAfterAppendsBytes = try ProcessMemory.anonymousResidentBytes()

        try await live(
            plan, events: inputs.liveEvents, ledger: ledger, server: server, client: liveClient,
            figures: &figures)
    }

    /// The server's ends of the established TCP connections on `port` (IPv4 loopback), from /proc/net/tcp:
    /// how many keep-alive connections the clients hold.
    private static func establishedConnections(toPort port: Int) throws -> Int {
        // Not String(contentsOfFile:): it stops after the first page of a /proc file.
        guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp") else {
            throw BenchError("cannot open /proc/net/tcp")
        }
        defer { try? file.close() }
        let table = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
        let local = ":" + String(format: "%04X", port)
        return table.split(separator: "\n").dropFirst().count { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1].hasSuffix(local) && fields[3] == "01"
        }
    }

    /// Opens the pool's connections before the timed requests: `connections` concurrent `GET /healthz`, twice.
    private static func warmUp(_ client: HTTPClient, base: String, connections: Int) async throws {
        for _ in 0..<2 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<connections {
                    group.addTask {
                        let response = try await client.execute(
                            HTTPClientRequest(url: base + "/healthz"), timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 16)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// `clients` tasks, each posting its share of `bodies` one request after the other (application/json, one
    /// event per request) and reading each answer whole. Returns events per second and every request's latency.
    private static func httpAppends(_ client: HTTPClient, base: String, bodies: [ByteBuffer], clients: Int)
        async throws -> (eventsPerSecond: Double, latencies: LatencySample, problems: [String])
    {
        let perClient = bodies.count / clients
        let url = base + "/v1/events"
        let started = monotonicNanoseconds()
        let (latencies, problems) = try await withThrowingTaskGroup(of: (LatencySample, [String]).self) {
            group in
            for index in 0..<clients {
                let slice = Array(bodies[index * perClient..<(index + 1) * perClient])
                group.addTask {
                    var sample = LatencySample(capacity: slice.count)
                    var problems: [String] = []
                    for body in slice {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(body)
                        let before = monotonicNanoseconds()
                        let response = try await client.execute(request, timeout: .seconds(30))
                        let answer = try await response.body.collect(upTo: 1 << 20)
                        sample.record(monotonicNanoseconds() - before)
                        if response.status != .created, problems.count < 5 {
                            problems.append(
                                "POST /v1/events answered \(response.status.code): \(String(buffer: answer))")
                        }
                    }
                    return (sample, problems)
                }
            }
            var all = LatencySample(capacity: bodies.count)
            var problems: [String] = []
            for try await (sample, found) in group {
                all.merge(sample)
                problems += found
            }
            return (all, problems)
        }
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        return (Double(perClient * clients) / seconds, latencies, Array(problems.prefix(10)))
    }

    /// Opens `plan.subscribers` live tails, appends `events` in-process one every `plan.liveInterval`, and
    /// measures every delivery against when its append returned. Reads the memory with the tails open.
    private static func live(
        _ plan: Plan, events: [ProposedEvent], ledger: Ledger, server: LocalServer, client: HTTPClient,
        figures: inout HTTPFigures
    ) async throws {
        let subscribers = plan.subscribers
        figures.liveSubscribers = subscribers
        figures.liveEvents = events.count
        figures.livePacedEventsPerSecond =
            1
            / (Double(plan.liveInterval.components.attoseconds) / 1e18
                + Double(plan.liveInterval.components.seconds))
        log(
            "\(subscribers) live subscribers, then \(events.count) events appended at "
                + "\(BenchReport.format(figures.livePacedEventsPerSecond))/s")
        let board = LiveBoard()
        let url = server.base + "/v1/events/live"
        let expectedStart = try ledger.head().position + 1
        let count = events.count
        var appends: [(position: UInt64, returnedAt: UInt64)] = []
        var appendSeconds = 0.0
        var anonymousWithSubscribers = 0
        var problems: [String] = []
        let records = try await withThrowingTaskGroup(of: (Int, SubscriberRecord).self) { group in
            // Whatever happens below, no subscriber is left waiting at the gate.
            defer { board.openGate() }
            for index in 0..<subscribers {
                group.addTask {
                    (index, await LiveSubscriber.run(client: client, url: url, expected: count, board: board))
                }
            }
            let ready = await board.wait(
                until: { $0.ready >= subscribers || $0.failed > 0 }, timeout: .seconds(60))
            if ready, board.counts.failed == 0 {
                let clock = ContinuousClock()
                let start = clock.now
                let started = monotonicNanoseconds()
                appends.reserveCapacity(events.count)
                for (index, event) in events.enumerated() {
                    try await Task.sleep(until: start + plan.liveInterval * index, clock: clock)
                    let outcome = try await ledger.append(event)
                    appends.append((outcome.position, monotonicNanoseconds()))
                }
                appendSeconds = Double(monotonicNanoseconds() - started) / 1e9
                let delivered = await board.wait(
                    until: { $0.finished + $0.failed >= subscribers }, timeout: .seconds(60))
                anonymousWithSubscribers = try ProcessMemory.anonymousResidentBytes()
                if !delivered {
                    problems.append(
                        "after 60 s, \(board.counts.finished) of \(subscribers) subscribers had every event")
                }
            } else {
                problems.append(
                    "only \(board.counts.ready) of \(subscribers) live tails opened (\(board.counts.failed) failed)"
                )
            }
            board.openGate()
            // Subscribers still reading (events lost) are stopped; they return what they had.
            if board.counts.finished < subscribers { group.cancelAll() }
            var records: [(Int, SubscriberRecord)] = []
            for try await record in group { records.append(record) }
            return records.sorted { $0.0 < $1.0 }.map(\.1)
        }
        figures.anonymousWithSubscribersBytes = anonymousWithSubscribers
        figures.liveAppendedEventsPerSecond = appendSeconds > 0 ? Double(appends.count) / appendSeconds : 0
        let expected = Array(expectedStart..<(expectedStart + UInt64(count)))
        if !appends.isEmpty, appends.map(\.position) != expected {
            problems.append(
                "the live load's appends were not at positions \(expectedStart)…, one after the other")
        }
        var returnedAt: [UInt64: UInt64] = [:]
        for append in appends { returnedAt[append.position] = append.returnedAt }
        var delays: [Int64] = []
        delays.reserveCapacity(subscribers * count)
        for (index, record) in records.enumerated() {
            if record.start != expectedStart {
                problems.append(
                    "subscriber \(index) started at \(record.start.map(String.init) ?? "nothing"), not \(expectedStart)"
                )
            }
            if record.positions == expected, record.mismatchedData == 0, record.failure == nil {
                figures.subscribersComplete += 1
            } else if problems.count < 20 {
                problems.append(
                    "subscriber \(index): \(record.positions.count) events, \(Set(record.positions).count) distinct, "
                        + "\(record.mismatchedData) with a data line of another position"
                        + (record.failure.map { "; \($0)" } ?? ""))
            }
            for (position, received) in zip(record.positions, record.receivedAt) {
                guard let appended = returnedAt[position] else { continue }
                delays.append(Int64(bitPattern: received) - Int64(bitPattern: appended))
            }
        }
        delays.sort()
        figures.deliveries = delays.count
        figures.deliveriesBeforeAppendReturned = delays.prefix { $0 < 0 }.count
        func milliseconds(_ fraction: Double) -> Double {
            guard !delays.isEmpty else { return 0 }
            let rank = min(delays.count - 1, max(0, Int((fraction * Double(delays.count)).rounded(.up)) - 1))
            return Double(max(0, delays[rank])) / 1e6
        }
        figures.deliveryP50Milliseconds = milliseconds(0.50)
        figures.deliveryP99Milliseconds = milliseconds(0.99)
        figures.deliveryMaxMilliseconds = milliseconds(1)
        figures.problems += problems
    }
}
