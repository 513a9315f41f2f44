import CNATS
import Dispatch
import Foundation
public import TraceLedger

/// Publishes events to NATS JetStream, one message per event with `Nats-Msg-Id` = the event id, and waits for
/// each acknowledgement (so an event counts as delivered only once the stream has stored it).
///
/// JetStream drops a message whose id it saw within the stream's duplicate window (2 minutes by default):
/// that protects against quick redeliveries only; the ledger's own checkpoint and the event ids carried to
/// consumers are what make long replays safe. Connection loss and server restarts are transient: libnats
/// reconnects and the replay retries. Sendable: libnats objects are only touched on the sink's serial queue.
public final class NATSSink: ReplaySink, @unchecked Sendable {
    public let description: String
    private let subject: String
    private let queue = DispatchQueue(label: "traceledger.nats-sink")
    private var connection: OpaquePointer?
    private var jetStream: OpaquePointer?
    private let acknowledgementWait: Int64
    private let format: DeliveryFormat

    /// Connects to `nats://HOST:PORT/SUBJECT`.
    ///
    /// - Throws: `LedgerError` when the URL has no subject or the server cannot be reached.
    public init(url: String, acknowledgementWait: Duration = .seconds(5), format: DeliveryFormat = .envelope)
        throws
    {
        self.format = format
        let opened = try JetStreamConnection(url: url, role: "a NATS sink", retryFirstConnect: true)
        subject = opened.subject
        description = url
        self.acknowledgementWait = acknowledgementWait.components.seconds * 1000
        connection = opened.connection
        jetStream = opened.jetStream
    }

    deinit {
        jsCtx_Destroy(jetStream)
        natsConnection_Destroy(connection)
    }

    public func deliver(_ events: [RecordedEvent]) async throws(DeliveryFailure) {
        for event in events {
            let failure: DeliveryFailure? = await withCheckedContinuation { continuation in
                queue.async { continuation.resume(returning: self.publish(event)) }
            }
            if let failure { throw failure }
        }
    }

    private func publish(_ event: RecordedEvent) -> DeliveryFailure? {
        var options = jsPubOptions()
        jsPubOptions_Init(&options)
        options.MaxWait = acknowledgementWait
        let id = event.eventId.description
        var body: [UInt8] = []
        format.appendJSON(of: event, to: &body)
        var acknowledgement: UnsafeMutablePointer<jsPubAck>?
        var errorCode = jsErrCode(0)
        // The event's Merkle leaf hash travels beside it, so a replica checks its tree leaf by leaf too.
        var message: OpaquePointer?
        _ = body.withUnsafeBytes { natsMsg_Create(&message, subject, nil, $0.baseAddress, Int32($0.count)) }
        defer { natsMsg_Destroy(message) }
        natsMsgHeader_Set(message, Self.leafHeader, EventLeaf.hash(of: event).map { String(format: "%02x", $0) }.joined())
        let status = id.withCString { idPointer in
            options.MsgId = idPointer
            return js_PublishMsg(&acknowledgement, jetStream, message, &options, &errorCode)
        }
        defer { jsPubAck_Destroy(acknowledgement) }
        guard status == NATS_OK else {
            let text = String(cString: natsStatus_GetText(status))
            // The stream as a whole not answering (no responders while a cluster elects a leader, a timeout,
            // a connection down) is an outage, not a bad event: the replay waits it out, dead-letters nothing.
            if status == NATS_NO_RESPONDERS || status == NATS_TIMEOUT || status == NATS_CONNECTION_CLOSED
                || status == NATS_NO_SERVER || status == NATS_CONNECTION_DISCONNECTED
            {
                return DeliveryFailure(
                    .unreachable,
                    "no JetStream stream answered for subject \(subject) (none captures it, or its servers are "
                        + "restarting or electing a leader): \(text)")
            }
            if errorCode.rawValue != 0 {
                return DeliveryFailure(
                    .permanent, "JetStream refused the event: \(text) (error \(errorCode.rawValue))",
                    status: Int(errorCode.rawValue))
            }
            return DeliveryFailure(.transient, "publishing to \(description) failed: \(text)")
        }
        return nil
    }

    /// The header that carries each message's Merkle leaf hash (64 hex digits).
    public static let leafHeader = "TraceLedger-Leaf"

    public func flush() async throws(DeliveryFailure) {}

    public func close() async {}
}
