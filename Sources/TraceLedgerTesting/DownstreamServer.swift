public import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP server on loopback playing a downstream system (an ERP) for replay tests.
///
/// It records every request, applies each `Idempotency-Key` at most once (as a well-behaved downstream
/// does), and answers as `respond` decides, so a test can inject 500s, 429s, 400s and slow answers.
public final class DownstreamServer: Sendable {
    /// One request as received.
    public struct Request: Sendable {
        public let idempotencyKey: String?
        public let traceparent: String?
        public let traceId: String?
        public let position: String?
        public let authorization: String?
        public let body: String
        /// How many times a request with this idempotency key has arrived, this one included.
        public var attempt = 1
    }

    /// How to answer one request.
    public enum Response: Sendable {
        case ok
        case status(Int, retryAfterSeconds: Int? = nil)
        /// Answer 200 after this delay (longer than the client's timeout makes it a timeout).
        case delayed(Duration)
    }

    private struct State {
        var requests: [Request] = []
        var appliedKeys: Set<String> = []
        var applied: [String] = []
        var respond: @Sendable (Request, Int) -> Response = { _, _ in .ok }
    }

    private let state = Mutex(State())
    private let channel: any Channel
    /// The port it listens on (127.0.0.1).
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)/events" }

    /// Starts listening on `port` (0: an ephemeral one), e.g. to bring a downstream back where it was.
    public init(port requested: Int = 0) async throws {
        let holder = Holder()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(RequestHandler(server: holder))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: requested).get()
        port = channel.localAddress?.port ?? 0
        holder.server.withLock { $0 = Weak(self) }
    }

    /// Stops listening.
    public func stop() async throws { try await channel.close() }

    /// Sets how requests are answered from now on (called with the request and its 0-based index).
    public func respond(_ decide: @escaping @Sendable (Request, Int) -> Response) {
        state.withLock { $0.respond = decide }
    }

    /// Every request received, in order.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// The idempotency keys applied, each once, in the order they took effect.
    public var applied: [String] { state.withLock { $0.applied } }

    fileprivate func handle(_ request: Request) -> Response {
        state.withLock { state in
            var request = request
            request.attempt = 1 + state.requests.filter { $0.idempotencyKey == request.idempotencyKey }.count
            let index = state.requests.count
            state.requests.append(request)
            let response = state.respond(request, index)
            let succeeds: Bool
            switch response {
            case .ok, .delayed: succeeds = true
            case .status(let code, _): succeeds = (200..<300).contains(code)
            }
            if succeeds, let key = request.idempotencyKey, !state.appliedKeys.contains(key) {
                state.appliedKeys.insert(key)
                state.applied.append(key)
            }
            return response
        }
    }
}

/// A weak reference, so the NIO pipeline does not keep the server alive.
private struct Weak: @unchecked Sendable {
    weak var server: DownstreamServer?
    init(_ server: DownstreamServer) { self.server = server }
}

/// Lets handlers created before the server finished initialising reach it.
private final class Holder: Sendable {
    let server = Mutex<Weak?>(nil)
}

/// Collects one HTTP request and answers it as the server decides.
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: Holder
    private var head: HTTPRequestHead?
    private var body = ""

    init(server: Holder) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = ""
        case .body(let buffer):
            body += String(buffer: buffer)
        case .end:
            guard let head else { return }
            let request = DownstreamServer.Request(
                idempotencyKey: head.headers.first(name: "Idempotency-Key"),
                traceparent: head.headers.first(name: "traceparent"),
                traceId: head.headers.first(name: "X-Trace-Id"),
                position: head.headers.first(name: "X-Ledger-Position"),
                authorization: head.headers.first(name: "Authorization"), body: body)
            let response = server.server.withLock { $0?.server }?.handle(request) ?? .status(503)
            switch response {
            case .ok:
                write(status: 200, retryAfter: nil, keepAlive: head.isKeepAlive, context: context)
            case .status(let code, let retryAfter):
                write(status: code, retryAfter: retryAfter, keepAlive: head.isKeepAlive, context: context)
            case .delayed(let delay):
                let keepAlive = head.isKeepAlive
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(
                    in: .milliseconds(
                        Int64(
                            delay.components.seconds * 1000 + delay.components.attoseconds
                                / 1_000_000_000_000_000))
                ) {
                    let (handler, context) = bound.value
                    handler.write(status: 200, retryAfter: nil, keepAlive: keepAlive, context: context)
                }
            }
        }
    }

    private func write(status: Int, retryAfter: Int?, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        let text = "{\"status\":\(status)}"
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        if let retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
