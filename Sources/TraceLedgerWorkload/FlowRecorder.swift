/// Collects the events of one flow while it is being planned: draws each event's id, keeps the
/// flow's clock non-decreasing, and renders the line.
struct FlowRecorder {
    let index: Int
    let traceId: String
    private(set) var events: [GeneratedEvent] = []
    /// The flow's clock in milliseconds since the epoch; only moves forward.
    private(set) var now: Int64

    init(index: Int, startMilliseconds: Int64, random: inout SplitMix64) {
        self.index = index
        self.now = startMilliseconds
        self.traceId = Identifiers.traceId(&random)
    }

    /// Moves the clock forward by a random step in `milliseconds`.
    mutating func advance(_ milliseconds: ClosedRange<Int64>, _ random: inout SplitMix64) {
        now += random.nextInt64(in: milliseconds)
    }

    /// Records an event at the current time.
    mutating func record(
        _ type: String, entity: String, origin: String, actor: String, payload: String,
        random: inout SplitMix64
    ) {
        events.append(
            GeneratedEvent(
                eventId: Identifiers.uuid(&random), traceId: traceId, entityId: entity, type: type,
                origin: origin, actor: actor, occurredAtMilliseconds: now, payloadJSON: payload,
                flowIndex: index))
    }

    /// The finished flow.
    func flow(
        _ kind: GeneratedFlow.Kind, order: OrderOutcome? = nil,
        mergedCustomer: (duplicateId: String, intoId: String)? = nil
    ) -> GeneratedFlow {
        GeneratedFlow(
            index: index, kind: kind, traceId: traceId, events: events, order: order,
            mergedCustomer: mergedCustomer)
    }
}
