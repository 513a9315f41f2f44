/// A replay consumer's durable progress: every event up to `checkpoint` was delivered, filtered out, or
/// parked in its dead-letter queue.
public struct ConsumerState: Sendable, Equatable {
    public let name: String
    /// The last position handled (0 before the first).
    public var checkpoint: UInt64
    /// Events delivered over the consumer's life.
    public var delivered: UInt64
    /// When the last delivery succeeded (ledger clock).
    public var lastDeliveryAt: Timestamp?
    /// The sink of the last run, e.g. `http://erp.local/events` (never credentials).
    public var sink: String
    /// The replay this consumer runs: recorded before its first delivery, so a run killed at any instant is
    /// continued exactly (nil for consumers recorded before jobs were).
    public var job: ReplayJob?

    public init(
        name: String, checkpoint: UInt64 = 0, delivered: UInt64 = 0, lastDeliveryAt: Timestamp? = nil,
        sink: String = ""
    ) {
        self.name = name
        self.checkpoint = checkpoint
        self.delivered = delivered
        self.lastDeliveryAt = lastDeliveryAt
        self.sink = sink
    }

    /// The key of consumer `name` in `consumers`.
    static func key(_ name: String) -> [UInt8] { Array(name.utf8) }

    var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.append(checkpoint)
        writer.append(delivered)
        writer.append(lastDeliveryAt?.nanosecondsSinceEpoch ?? Int64.min)
        writer.appendString(sink)
        if let job {
            writer.bytes.append(1)
            writer.append(job.from)
            writer.append(job.until ?? 0)
            writer.appendString(job.domains?.joined(separator: ",") ?? "\u{0}")
            writer.appendString(job.types?.joined(separator: ",") ?? "\u{0}")
            writer.appendString(job.traceId ?? "")
        }
        return writer.bytes
    }

    init(name: String, decoding raw: UnsafeRawBufferPointer) throws(LedgerError) {
        var reader = ByteReader(raw)
        self.name = name
        checkpoint = try reader.uint64()
        delivered = try reader.uint64()
        let last = try reader.int64()
        lastDeliveryAt = last == Int64.min ? nil : Timestamp(nanosecondsSinceEpoch: last)
        sink = try reader.string()
        if reader.remaining > 0, try reader.byte() == 1 {
            let from = try reader.uint64()
            let until = try reader.uint64()
            func list(_ text: String) -> [String]? {
                text == "\u{0}" ? nil : text.split(separator: ",").map(String.init)
            }
            let domains = list(try reader.string())
            let types = list(try reader.string())
            let trace = try reader.string()
            job = ReplayJob(
                from: from, until: until == 0 ? nil : until, domains: domains, types: types,
                traceId: trace.isEmpty ? nil : trace)
        }
    }
}

/// What a consumer's replay covers: where it started, where it stops, which events it sends.
///
/// Sendable: plain values.
public struct ReplayJob: Sendable, Equatable {
    /// The first position of the job.
    public let from: UInt64
    /// The last position, or nil for "up to the head" (and, following, beyond).
    public let until: UInt64?
    public let domains: [String]?
    public let types: [String]?
    public let traceId: String?
}

/// An event a consumer could not deliver, or one held back behind such an event of the same entity.
public struct DeadLetter: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Delivery failed permanently or exhausted its attempts.
        case dead
        /// Not attempted: an earlier event of the same entity is dead, and order per entity is kept.
        case held(behind: UInt64)
    }

    public let consumer: String
    public let position: UInt64
    public let eventId: EventID
    public let stream: StreamKey
    public let traceId: String
    public let type: String
    public var state: State
    public var attempts: Int
    public var lastError: String
    /// The downstream's status and the start of its response, when it answered.
    public var status: Int?
    public var response: String?
    public var failedAt: Timestamp

    public init(
        consumer: String, event: RecordedEvent, state: State, attempts: Int, lastError: String,
        status: Int? = nil,
        response: String? = nil, failedAt: Timestamp = .now()
    ) {
        self.consumer = consumer
        self.position = event.position
        self.eventId = event.eventId
        self.stream = event.content.streamKey
        self.traceId = event.traceId
        self.type = event.type
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.status = status
        self.response = response
        self.failedAt = failedAt
    }

    /// The key of a dead letter in `dead_letters`: consumer name ‖ 0 ‖ position.
    static func key(consumer: String, position: UInt64) -> [UInt8] {
        keyPrefix(consumer: consumer) + position.bigEndianBytes
    }

    /// The prefix of every dead letter of `consumer`.
    static func keyPrefix(consumer: String) -> [UInt8] { Array(consumer.utf8) + [0] }

    var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 160)
        writer.append(contentsOf: eventId.bytes)
        writer.appendString(stream.domain.rawValue)
        writer.appendString(stream.entityId)
        writer.appendString(traceId)
        writer.appendString(type)
        switch state {
        case .dead:
            writer.bytes.append(0)
            writer.append(UInt64(0))
        case .held(let behind):
            writer.bytes.append(1)
            writer.append(behind)
        }
        writer.append(UInt32(attempts))
        writer.append(UInt64(bitPattern: Int64(status ?? -1)))
        writer.appendString(lastError)
        writer.appendString(response ?? "")
        writer.append(failedAt.nanosecondsSinceEpoch)
        return writer.bytes
    }

    init(consumer: String, position: UInt64, decoding raw: UnsafeRawBufferPointer) throws(LedgerError) {
        var reader = ByteReader(raw)
        self.consumer = consumer
        self.position = position
        eventId = EventID(bytes: try reader.take(16))
        let domainName = try reader.string()
        guard let domain = Domain(rawValue: domainName) else {
            throw LedgerError(.corrupted, "a dead letter names an unknown domain \"\(domainName)\"")
        }
        stream = StreamKey(domain: domain, entityId: try reader.string())
        traceId = try reader.string()
        type = try reader.string()
        let kind = try reader.byte()
        let behind = try reader.uint64()
        state = kind == 0 ? .dead : .held(behind: behind)
        attempts = Int(try reader.uint32())
        let rawStatus = Int64(bitPattern: try reader.uint64())
        status = rawStatus < 0 ? nil : Int(rawStatus)
        lastError = try reader.string()
        let body = try reader.string()
        response = body.isEmpty ? nil : body
        failedAt = Timestamp(nanosecondsSinceEpoch: try reader.int64())
    }
}
