import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TraceLedger
import TraceLedgerTesting

/// The live tail: Server-Sent Events fed by the writer's commits, resumable with Last-Event-ID.
@Suite struct LiveTailTests {
    /// Reads SSE events (id, data) from `path` until `count` arrived, then drops the connection.
    static func read(
        _ server: ServerHarness, _ path: String, count: Int, lastEventID: UInt64? = nil
    ) async throws -> [(id: UInt64, data: String)] {
        var request = HTTPClientRequest(url: server.base + path)
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
        let response = try await HTTPClient.shared.execute(request, timeout: ServerHarness.requestTimeout)
        #expect(response.headers["Content-Type"].first == "text/event-stream")
        var buffer = ""
        var events: [(UInt64, String)] = []
        for try await chunk in response.body {
            buffer += String(buffer: chunk)
            while let end = buffer.range(of: "\n\n") {
                let block = String(buffer[..<end.lowerBound])
                buffer.removeSubrange(..<end.upperBound)
                var id: UInt64?
                var data = ""
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = UInt64(line.dropFirst(4)) }
                    if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
                }
                if let id { events.append((id, data)) }
            }
            if events.count >= count { break }
        }
        return events
    }

    @Test func aDroppedSubscriberResumesWithLastEventIDAndGetsEveryEventOnceInOrder() async throws {
        let server = try await ServerHarness.start(heartbeat: .milliseconds(200))
        let appender = Task {
            for index in 0..<60 {
                _ = try await server.request(.POST, "/v1/events", body: Events.payment("pi_\(index)"))
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        let first = try await Self.read(server, "/v1/events/live?from=1", count: 20)
        let rest = try await Self.read(server, "/v1/events/live", count: 40, lastEventID: first.last!.id)
        try await appender.value
        let ids = (first + rest).map(\.id)
        #expect(ids == Array(1...60))
        // Each data line is the CLI's envelope, byte for byte.
        for (id, data) in (first + rest).prefix(5) {
            #expect(data == (try server.ledger.event(at: id)?.envelopeJSON()))
        }
        try await server.stop()
    }

    @Test func filtersAndHeartbeats() async throws {
        let server = try await ServerHarness.start(heartbeat: .milliseconds(100))
        _ = try await server.request(.POST, "/v1/events", body: Events.payment("pi_1", traceId: "trace-a"))
        _ = try await server.request(.POST, "/v1/events", body: Events.payment("pi_2", traceId: "trace-b"))
        let only = try await Self.read(server, "/v1/events/live?from=1&trace=trace-b", count: 1)
        #expect(only.map(\.id) == [2])
        // An idle stream sends heartbeat comments.
        var request = HTTPClientRequest(url: server.base + "/v1/events/live")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await HTTPClient.shared.execute(request, timeout: ServerHarness.requestTimeout)
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if text.contains(": heartbeat") { break }
        }
        #expect(text.contains(": heartbeat"))
        try await server.stop()
    }
}
