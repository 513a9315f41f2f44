import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
import ServiceLifecycle
import TraceLedger

/// `GET /v1/events/live?from&domain&type&trace`: the log as Server-Sent Events, from a position (or the
/// `Last-Event-ID` a reconnecting client sends) and then live, as the writer commits.
///
/// Each event is `id: POSITION`, `event: TYPE`, `data: ENVELOPE`; a comment line every `heartbeat` keeps
/// proxies from closing an idle stream. Backpressure is the connection's: a subscriber that reads slowly
/// slows only its own stream (events are read from the store as it accepts them, never buffered).
struct LiveRoutes {
    let ledger: Ledger
    let metrics: ServerMetrics
    var heartbeat: Duration = .seconds(15)

    func live(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        try stream(request, namesEvents: true)
    }

    /// The stream a request asks for; the console's live page takes it without event names.
    func stream(_ request: Request, namesEvents: Bool) throws -> Response {
        var start: UInt64 = 1
        if let last = request.headers[HTTPField.Name("Last-Event-ID")!] {
            start = try Request.position(last, named: "Last-Event-ID") + 1
        } else if let from = try request.query("from", as: UInt64.self) {
            start = max(1, from)
        } else {
            start = try ledger.head().position + 1  // only what comes next
        }
        let domains = try request.list("domain").map(EventRoutes.domains)
        let types = request.list("type")
        let trace = request.query("trace")
        var tail = LiveTail(
            ledger: ledger, metrics: metrics, heartbeat: heartbeat, start: start, domains: domains,
            types: types,
            trace: trace)
        tail.namesEvents = namesEvents
        let streaming = tail
        let body = ResponseBody { writer in try await streaming.stream(to: &writer) }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream", .cacheControl: "no-cache",
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ],
            body: body)
    }
}

/// One subscriber's stream.
///
/// Sendable: plain values and the (Sendable) ledger and metrics.
struct LiveTail: Sendable {
    let ledger: Ledger
    let metrics: ServerMetrics
    let heartbeat: Duration
    let start: UInt64
    let domains: Set<Domain>?
    let types: Set<String>?
    let trace: String?
    /// Whether each event carries `event: TYPE`; the console's page reads unnamed messages (an `EventSource`
    /// cannot listen to every name at once).
    var namesEvents = true

    func stream(to writer: inout any ResponseBodyWriter) async throws {
        metrics.subscribers(1)
        defer { metrics.subscribers(-1) }
        try await writer.write(ByteBuffer(string: ": traceledger live tail from position \(start)\n\n"))
        var live = LiveEvents(
            ledger: ledger, from: start, query: EventQuery(domains: domains, types: types), traceId: trace)
        var lastWrite = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // Short waits, so a graceful shutdown ends the stream within a second.
            let events = try await live.nextPage(timeout: min(heartbeat, .seconds(1)))
            guard !events.isEmpty else {
                if ContinuousClock.now - lastWrite >= heartbeat {
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    lastWrite = .now
                }
                continue
            }
            var out: [UInt8] = []
            for event in events {
                out += Array(
                    (namesEvents ? "id: \(event.position)\nevent: \(event.type)\ndata: " : "id: \(event.position)\ndata: ")
                        .utf8)
                event.appendEnvelopeJSON(to: &out)
                out += [0x0A, 0x0A]
            }
            try await writer.write(ByteBuffer(bytes: out))
            lastWrite = .now
        }
        try await writer.finish(nil)
    }
}
