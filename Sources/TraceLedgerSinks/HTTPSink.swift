import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
public import TraceLedger

/// POSTs events to an HTTP webhook: one envelope per request, or a JSON array of up to `batchSize`.
///
/// Every request carries `Idempotency-Key` (the event id; for a batch, the first and last ids), the trace
/// (`traceparent` for W3C trace ids, else `X-Trace-Id`) and `X-Ledger-Position`. Connections are reused;
/// each request has a timeout. 2xx is delivered; 408, 429 (honouring Retry-After) and 5xx are transient;
/// other statuses are permanent. Sendable: the client is thread-safe and the rest is immutable.
public final class HTTPSink: ReplaySink {
    public let description: String
    private let url: String
    private let authorization: String?
    private let timeout: TimeAmount
    private let format: DeliveryFormat
    private var client: HTTPClient { Self.client }
    /// Whether the next delivery first checks that the host takes connections: at the start, and after the
    /// downstream could not be reached. The client's pool retries a refused connection until the request's
    /// deadline, so without it every attempt at a downed host would wait the whole timeout.
    private let probeFirst = Mutex(true)

    /// One client for every HTTP sink of the process: connections are pooled and reused, redirects are not
    /// followed (a webhook that redirects is misconfigured), and it lives as long as the process.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// A sink posting to `url`, with an optional `Authorization` header value (read from the environment or a
    /// file by the caller — never from the command line).
    public init(
        url: String, authorization: String? = nil, timeout: Duration = .seconds(10),
        format: DeliveryFormat = .envelope
    ) {
        self.format = format
        self.url = url
        self.description = url
        self.authorization = authorization
        self.timeout = .nanoseconds(
            Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        )
    }

    public func deliver(_ events: [RecordedEvent]) async throws(DeliveryFailure) {
        guard let first = events.first, let last = events.last else { return }
        if probeFirst.withLock({ $0 }) {
            try await probe()
            probeFirst.withLock { $0 = false }
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        switch format {
        case .envelope: request.headers.add(name: "Content-Type", value: "application/json")
        case .cloudEvents:
            request.headers.add(
                name: "Content-Type",
                value: events.count == 1
                    ? "application/cloudevents+json" : "application/cloudevents-batch+json")
        case .cloudEventsBinary:
            // One event per request (the replay refuses --batch with this format): its attributes are headers.
            for (name, value) in first.cloudEventHeaders { request.headers.add(name: name, value: value) }
        }
        request.headers.add(
            name: "Idempotency-Key",
            value: events.count == 1 ? "\(first.eventId)" : "\(first.eventId)..\(last.eventId)")
        request.headers.add(
            name: "X-Ledger-Position",
            value: events.count == 1 ? "\(first.position)" : "\(first.position)-\(last.position)")
        if let traceparent = first.traceparent {
            request.headers.add(name: "traceparent", value: traceparent)
        } else {
            request.headers.add(name: "X-Trace-Id", value: first.traceId)
        }
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        var body: [UInt8] = []
        if format == .cloudEventsBinary {
            body = first.content.payload
        } else if events.count == 1 {
            format.appendJSON(of: first, to: &body)
        } else {
            body.append(UInt8(ascii: "["))
            for (index, event) in events.enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                format.appendJSON(of: event, to: &body)
            }
            body.append(UInt8(ascii: "]"))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        let text: String
        do {
            response = try await client.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: 64 * 1024)
            text = String(buffer: buffer)
        } catch {
            // No answer at all: the downstream is down or cut off, whichever event it was.
            probeFirst.withLock { $0 = true }
            throw DeliveryFailure(.unreachable, "cannot reach \(url): \(Self.reason(error))")
        }
        let status = Int(response.status.code)
        guard !(200..<300).contains(status) else { return }
        let excerpt = String(text.prefix(2048))
        switch status {
        case 408, 429, 500...599:
            throw DeliveryFailure(
                .transient, "\(url) answered \(response.status)", status: status, response: excerpt,
                retryAfter: Self.retryAfter(response.headers))
        default:
            throw DeliveryFailure(
                .permanent, "\(url) refused the event: \(response.status)", status: status, response: excerpt)
        }
    }

    public func flush() async throws(DeliveryFailure) {}

    /// Nothing to release: the shared client's pooled connections close when idle.
    public func close() async {}

    /// Opens and closes one TCP connection to the URL's host within 2 s.
    private func probe() async throws(DeliveryFailure) {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw DeliveryFailure(.permanent, "\(url) is not a URL with a host")
        }
        let port = components.port ?? (components.scheme == "https" ? 443 : 80)
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(2))
                .connect(host: host, port: port).get()
            try await channel.close()
        } catch {
            probeFirst.withLock { $0 = true }
            throw DeliveryFailure(.unreachable, "cannot reach \(url): \(Self.reason(error))")
        }
    }

    /// A transport error in words a person reads: "connection refused", "timed out after 10 s".
    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("connectionRefused") {
            return "connection refused"
        }
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") || text.contains("timeout") {
            return "no answer in time"
        }
        if text.contains("remoteConnectionClosed") { return "the connection was closed before an answer" }
        if text.contains("No route") || text.contains("Network is unreachable") {
            return "no route to the host"
        }
        if text.contains("Name or service not known") || text.contains("nodename nor servname") {
            return "the host name does not resolve"
        }
        return text
    }

    /// Retry-After in seconds (the HTTP-date form is rare for webhooks and treated as absent).
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let value = headers.first(name: "Retry-After"),
            let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0
        else { return nil }
        return .milliseconds(Int64(seconds * 1000))
    }
}
