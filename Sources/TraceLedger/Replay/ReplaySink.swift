/// Where a replay delivers events: stdout, an NDJSON file, an HTTP webhook, NATS JetStream.
///
/// A sink must be idempotent-friendly: each delivery carries the event id as its idempotency key (a header,
/// a message id), so redelivery after a crash has no effect downstream. Implementations are Sendable and
/// may be called from several lanes at once (each lane keeps its entities' order).
public protocol ReplaySink: Sendable {
    /// What the sink delivers to, for summaries and the consumer record (never a secret).
    var description: String { get }

    /// Delivers events in order, as one request where the sink batches.
    ///
    /// - Throws: `DeliveryFailure` saying whether trying again may help.
    func deliver(_ events: [RecordedEvent]) async throws(DeliveryFailure)

    /// Makes everything delivered so far durable downstream; called before a checkpoint moves.
    func flush() async throws(DeliveryFailure)

    /// Releases connections and files.
    func close() async
}

/// Why a delivery failed, and whether retrying may help.
public struct DeliveryFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Worth retrying: connection errors, timeouts, 5xx, 429.
        case transient
        /// Retrying will not help: 4xx other than 408/429, a malformed request, a missing stream.
        case permanent
        /// The downstream as a whole cannot be reached (refused, timed out, no route): an outage, not a bad
        /// event. Retried like a transient failure; when it lasts, the replay stops (or, following, waits)
        /// with its checkpoint kept and nothing dead-lettered.
        case unreachable
    }

    public let kind: Kind
    public let message: String
    /// The HTTP status (or the sink's equivalent), when there was a response.
    public var status: Int?
    /// The start of the response body, for the dead-letter queue.
    public var response: String?
    /// How long the downstream asked us to wait (Retry-After).
    public var retryAfter: Duration?

    public init(
        _ kind: Kind, _ message: String, status: Int? = nil, response: String? = nil,
        retryAfter: Duration? = nil
    ) {
        self.kind = kind
        self.message = message
        self.status = status
        self.response = response
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = message
        if let status { text += " (status \(status))" }
        return text
    }
}
