import CNATS
import Dispatch
import Foundation
import JSONKit
public import TraceLedger

/// Reads a JetStream stream through a durable pull consumer, for a replica (`traceledger mirror`): batches
/// of messages in stream order, acknowledged only when the caller says so (after its own commit), so a
/// replica killed at any instant is handed again what it had not committed.
///
/// The consumer acknowledges with `AckAll`: one acknowledgement of a batch's last message covers the batch.
/// Sendable: libnats objects are only touched on the reader's serial queue.
public final class NATSStreamReader: @unchecked Sendable {
    /// `nats://HOST:PORT/SUBJECT`.
    public let url: String
    public let subject: String
    public let consumer: String?
    private let queue = DispatchQueue(label: "traceledger.nats-reader")
    private var connection: OpaquePointer?
    private var jetStream: OpaquePointer?
    private var subscription: OpaquePointer?
    private let server: String
    /// The stream the consumer reads (found by its subject).
    public private(set) var stream = ""

    /// A batch of messages, held until acknowledged.
    public final class Batch: @unchecked Sendable {
        fileprivate var list = natsMsgList()
        /// Each message's body, in stream order.
        public let bodies: [[UInt8]]
        /// Each message's Merkle leaf hash header (`NATSSink.leafHeader`), when it has one.
        public let leaves: [String?]

        fileprivate init(list: natsMsgList) {
            self.list = list
            var bodies: [[UInt8]] = []
            var leaves: [String?] = []
            for index in 0..<Int(list.Count) {
                guard let message = list.Msgs[index] else { continue }
                let length = Int(natsMsg_GetDataLength(message))
                let data = natsMsg_GetData(message)
                bodies.append(
                    data.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? [])
                var value: UnsafePointer<CChar>?
                leaves.append(
                    natsMsgHeader_Get(message, NATSSink.leafHeader, &value) == NATS_OK
                        ? value.map(String.init(cString:)) : nil)
            }
            self.bodies = bodies
            self.leaves = leaves
        }

        deinit { natsMsgList_Destroy(&list) }
    }

    /// Connects and binds (creating it the first time) the durable pull consumer `consumer` on the stream that
    /// captures the URL's subject; with `consumer` nil, an ephemeral one (to look at the stream, not to read
    /// it for good: the server removes it once unused).
    ///
    /// - Throws: `LedgerError` `.invalidArgument` for a URL without a subject, `.unavailable` when NATS cannot be
    ///   reached or no stream captures the subject.
    public init(url: String, consumer: String?) throws {
        let opened = try JetStreamConnection(url: url, role: "a stream", retryFirstConnect: false)
        self.url = url
        self.consumer = consumer
        subject = opened.subject
        let server = opened.server
        connection = opened.connection
        jetStream = opened.jetStream
        stream = try Self.stream(capturing: subject, connection: connection, server: server)
        self.server = server
        try bind()
    }

    /// Reads again from the message after the last acknowledged one, on the same connection (which knows every
    /// server of the cluster): after an outage, what was in flight comes again in order.
    ///
    /// - Throws: `LedgerError` `.unavailable` while JetStream does not answer.
    public func rebind() async throws {
        let failure: (any Error)? = await withCheckedContinuation { continuation in
            queue.async {
                do {
                    natsSubscription_Destroy(self.subscription)
                    self.subscription = nil
                    try self.bind()
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error)
                }
            }
        }
        if let failure { throw failure }
    }

    /// Makes the consumer (again) and subscribes.
    private func bind() throws {
        // A durable consumer redelivers what it handed out unacknowledged only after its ack wait, behind newer
        // messages: after a crash, that would look like a gap. So it is made again at each start, from the
        // message after the last one acknowledged (everything up to there is committed; what follows may be
        // too, and is recognised by its hash).
        var start: UInt64 = 1
        if let consumer {
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            var code = jsErrCode(0)
            if js_GetConsumerInfo(&info, jetStream, stream, consumer, nil, &code) == NATS_OK, let info {
                start = info.pointee.AckFloor.Stream + 1
                jsConsumerInfo_Destroy(info)
                js_DeleteConsumer(jetStream, stream, consumer, nil, &code)
            }
        }
        var subscribeOptions = jsSubOptions()
        jsSubOptions_Init(&subscribeOptions)
        subscribeOptions.Config.AckPolicy = js_AckAll
        subscribeOptions.Config.DeliverPolicy = start > 1 ? js_DeliverByStartSequence : js_DeliverAll
        subscribeOptions.Config.OptStartSeq = start > 1 ? start : 0
        subscribeOptions.Config.MaxAckPending = 20_000
        subscribeOptions.Config.AckWait = 60_000_000_000  // ns: a batch is committed well within a minute
        var subscription: OpaquePointer?
        var code = jsErrCode(0)
        let subscribed = stream.withCString { streamName in
            subscribeOptions.Stream = streamName
            return js_PullSubscribe(
                &subscription, jetStream, subject, consumer, nil, &subscribeOptions, &code)
        }
        guard subscribed == NATS_OK else {
            throw LedgerError(
                .unavailable,
                "cannot read \(subject) at \(server) as consumer \(consumer ?? "(ephemeral)"): "
                    + "\(String(cString: natsStatus_GetText(subscribed))) (JetStream error \(code.rawValue)); "
                    + "a stream must capture the subject (`traceledger streams create`)")
        }
        self.subscription = subscription
    }

    /// The name of the stream that captures `subject`, asked of the JetStream API (`STREAM.NAMES`).
    private static func stream(capturing subject: String, connection: OpaquePointer?, server: String) throws
        -> String
    {
        var reply: OpaquePointer?
        let request = Array("{\"subject\":\(JSONString.quoted(subject))}".utf8)
        let status = request.withUnsafeBytes {
            natsConnection_Request(
                &reply, connection, "$JS.API.STREAM.NAMES", $0.baseAddress, Int32($0.count), 5000)
        }
        defer { natsMsg_Destroy(reply) }
        guard status == NATS_OK, let reply else {
            throw LedgerError(
                .unavailable,
                "cannot ask \(server) which stream captures \(subject): \(String(cString: natsStatus_GetText(status)))"
            )
        }
        let text = String(
            decoding: UnsafeRawBufferPointer(
                start: natsMsg_GetData(reply), count: Int(natsMsg_GetDataLength(reply))),
            as: UTF8.self)
        guard let list = text.range(of: #""streams":\["([^"]+)""#, options: .regularExpression) else {
            throw LedgerError(
                .unavailable,
                "no JetStream stream on \(server) captures \(subject): create one (`traceledger streams create`)"
            )
        }
        return String(text[list].dropFirst(#""streams":[""#.count).dropLast())
    }

    deinit {
        natsSubscription_Destroy(subscription)
        jsCtx_Destroy(jetStream)
        natsConnection_Destroy(connection)
    }

    /// Up to `count` messages, waiting up to `timeout` for the first; empty when none came.
    ///
    /// - Throws: `LedgerError` `.unavailable` when the fetch fails for another reason than an empty stream.
    public func fetch(_ count: Int, timeout: Duration) async throws -> Batch? {
        let milliseconds = Int64(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let result: Result<Batch?, LedgerError> = await withCheckedContinuation { continuation in
            queue.async {
                // A rebind that failed (JetStream not answering) left no subscription: bind again first, until
                // it succeeds. Without this every later fetch failed and the reader never read again.
                if self.subscription == nil {
                    do {
                        try self.bind()
                    } catch {
                        return continuation.resume(
                            returning: .failure(
                                error as? LedgerError
                                    ?? LedgerError(.unavailable, "binding to \(self.url) failed: \(error)")))
                    }
                }
                var list = natsMsgList()
                var code = jsErrCode(0)
                let status = natsSubscription_Fetch(
                    &list, self.subscription, Int32(count), milliseconds, &code)
                switch status {
                case NATS_OK: continuation.resume(returning: .success(Batch(list: list)))
                case NATS_TIMEOUT: continuation.resume(returning: .success(nil))
                default:
                    continuation.resume(
                        returning: .failure(
                            LedgerError(
                                .unavailable,
                                "reading \(self.url) failed: \(String(cString: natsStatus_GetText(status))) "
                                    + "(JetStream error \(code.rawValue))")))
                }
            }
        }
        return try result.get()
    }

    /// Acknowledges every message of `batch` (and those before it), waiting for the server to confirm.
    public func acknowledge(_ batch: Batch) async throws {
        let failure: LedgerError? = await withCheckedContinuation { continuation in
            queue.async {
                guard batch.list.Count > 0, let last = batch.list.Msgs[Int(batch.list.Count) - 1] else {
                    return continuation.resume(returning: nil)
                }
                var code = jsErrCode(0)
                let status = natsMsg_AckSync(last, nil, &code)
                continuation.resume(
                    returning: status == NATS_OK
                        ? nil
                        : LedgerError(
                            .unavailable,
                            "acknowledging to \(self.url) failed: \(String(cString: natsStatus_GetText(status))); "
                                + "the batch is committed and will be delivered again, then recognised"))
            }
        }
        if let failure { throw failure }
    }

    /// The stream's last message: its body and when JetStream stored it; nil for an empty stream.
    public func lastMessage() async throws -> (body: [UInt8], storedAt: Timestamp)? {
        let result: Result<([UInt8], Timestamp)?, LedgerError> = await withCheckedContinuation {
            continuation in
            queue.async {
                var message: OpaquePointer?
                var code = jsErrCode(0)
                let status = js_GetLastMsg(&message, self.jetStream, self.stream, self.subject, nil, &code)
                defer { natsMsg_Destroy(message) }
                if status == NATS_NOT_FOUND || code.rawValue == 10037 {
                    return continuation.resume(returning: .success(nil))
                }
                guard status == NATS_OK, let message else {
                    return continuation.resume(
                        returning: .failure(
                            LedgerError(
                                .unavailable,
                                "reading the last message of \(self.stream) failed: "
                                    + String(cString: natsStatus_GetText(status)))))
                }
                let length = Int(natsMsg_GetDataLength(message))
                let body =
                    natsMsg_GetData(message).map { Array(UnsafeRawBufferPointer(start: $0, count: length)) }
                    ?? []
                let time = Timestamp(nanosecondsSinceEpoch: natsMsg_GetTime(message))
                continuation.resume(returning: .success((body, time)))
            }
        }
        return try result.get()
    }
}
