extension Ledger {
    /// The last event's position, hash and time (`ChainHead.empty` for an empty ledger).
    public func head() throws -> ChainHead { try read { try $0.head() } }

    /// The event at `position`, or nil when there is none.
    public func event(at position: UInt64) throws -> RecordedEvent? {
        try read { try $0.event(at: position) }
    }

    /// The event with `id`, or nil.
    public func event(withId id: EventID) throws -> RecordedEvent? { try read { try $0.event(withId: id) } }

    /// Every event of a trace, in log order: the timeline of one business flow across systems.
    public func events(forTrace traceId: String) throws -> [RecordedEvent] {
        try read { try $0.events(forTrace: traceId) }
    }

    /// One entity's events in order (its stream), oldest first.
    public func history(of stream: StreamKey) throws -> [RecordedEvent] {
        try read { try $0.history(of: stream) }
    }

    /// The positions of one entity's events, oldest first (cheap: no record is decoded).
    public func positions(of stream: StreamKey) throws -> [UInt64] {
        try read { try $0.positions(of: stream) }
    }

    /// Every event made by `actor`, in log order.
    public func events(byActor actor: String) throws -> [RecordedEvent] {
        try read { try $0.events(byActor: actor) }
    }

    /// The first position recorded at or after `time`, or nil when every event is older.
    public func firstPosition(recordedAtOrAfter time: Timestamp) throws -> UInt64? {
        try read { try $0.firstPosition(recordedAtOrAfter: time) }
    }

    /// Calls `body` with each event the query matches, in log order. Return false from `body` to stop.
    ///
    /// The range is fixed in one snapshot; its events are then read in chunks of their own snapshots, so that
    /// neither memory nor a reader slot grows with the size of the log. The log below the head never changes,
    /// so the result is exactly what the first snapshot held.
    public func forEachEvent(matching query: EventQuery, _ body: (RecordedEvent) throws -> Bool) throws {
        let chunk = 1024
        var remaining = query.limit ?? Int.max
        let plan: (range: ClosedRange<UInt64>, actorPositions: [UInt64]?)? = try read { snapshot in
            guard let range = try snapshot.positionRange(from: query.from, until: query.until) else {
                return nil
            }
            let positions = try query.actor.map { actor in
                try snapshot.positions(in: .actor, key: Array(actor.utf8)).filter { range.contains($0) }
            }
            return (range, positions)
        }
        guard let plan else { return }
        func deliver(_ events: [RecordedEvent]) throws -> Bool {
            for event in events where query.matches(event) {
                guard remaining > 0, try body(event) else { return false }
                remaining -= 1
            }
            return remaining > 0
        }
        if let positions = plan.actorPositions {
            for start in stride(from: 0, to: positions.count, by: chunk) {
                let slice = Array(positions[start..<min(positions.count, start + chunk)])
                guard try deliver(try read { try $0.events(at: slice) }) else { return }
            }
            return
        }
        var first = plan.range.lowerBound
        while first <= plan.range.upperBound {
            let last = min(plan.range.upperBound, first + UInt64(chunk) - 1)
            let events = try read { snapshot in
                var events: [RecordedEvent] = []
                try snapshot.forEachEvent(from: first, through: last) {
                    events.append($0)
                    return true
                }
                return events
            }
            guard try deliver(events) else { return }
            first = last + 1
        }
    }

    /// The events a query matches, in log order (mind `limit` on a large log; see `forEachEvent`).
    public func events(matching query: EventQuery) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try forEachEvent(matching: query) {
            events.append($0)
            return true
        }
        return events
    }
}
