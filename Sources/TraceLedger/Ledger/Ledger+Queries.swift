import LMDBKit

extension Ledger {
    /// The last event's position, hash and time (`ChainHead.empty` for an empty ledger).
    public func head() throws -> ChainHead {
        try read { transaction, _ in try ChainHead.read(in: transaction, databases: databases) }
    }

    /// The event at `position`, or nil when there is none.
    public func event(at position: UInt64) throws -> RecordedEvent? {
        try read { transaction, codec in
            try LedgerReader.event(
                at: position, transaction: transaction, databases: databases, codec: codec,
                dictionaries: dictionaries)
        }
    }

    /// The event with `id`, or nil.
    public func event(withId id: EventID) throws -> RecordedEvent? {
        try read { transaction, codec in
            let position: UInt64? = try transaction.withValue(in: databases.eventIds, key: id.bytes) {
                $0.map { UInt64(bigEndianBytes: $0) }
            }
            guard let position else { return nil }
            return try LedgerReader.event(
                at: position, transaction: transaction, databases: databases, codec: codec,
                dictionaries: dictionaries)
        }
    }

    /// Every event of a trace, in log order: the timeline of one business flow across systems.
    public func events(forTrace traceId: String) throws -> [RecordedEvent] {
        try events(atPositionsIn: databases.traces, key: traceId)
    }

    /// One entity's events in order (its stream), oldest first.
    public func history(of stream: StreamKey) throws -> [RecordedEvent] {
        try events(atPositionsIn: databases.streams, key: stream.description)
    }

    /// The positions of one entity's events, oldest first (cheap: no record is decoded).
    public func positions(of stream: StreamKey) throws -> [UInt64] {
        try read { transaction, _ in
            try LedgerReader.positions(
                in: databases.streams, key: Array(stream.description.utf8), transaction: transaction)
        }
    }

    /// Every event made by `actor`, in log order.
    public func events(byActor actor: String) throws -> [RecordedEvent] {
        try events(atPositionsIn: databases.actors, key: actor)
    }

    private func events(atPositionsIn index: Database, key: String) throws -> [RecordedEvent] {
        try read { transaction, codec in
            let positions = try LedgerReader.positions(
                in: index, key: Array(key.utf8), transaction: transaction)
            return try events(at: positions, transaction: transaction, codec: codec)
        }
    }

    /// The events at `positions`, which an index named: a missing one means a damaged store.
    func events(at positions: [UInt64], transaction: Transaction, codec: RecordCodec) throws
        -> [RecordedEvent]
    {
        try positions.map { position in
            guard
                let event = try LedgerReader.event(
                    at: position, transaction: transaction, databases: databases, codec: codec,
                    dictionaries: dictionaries)
            else {
                throw LedgerError(
                    .corrupted,
                    "an index points at position \(position), which is missing; run `traceledger verify`")
            }
            return event
        }
    }

    /// The first position recorded at or after `time`, or nil when every event is older.
    ///
    /// recordedAt grows strictly with position, so this is a binary search over the log: O(log n) reads of
    /// record headers, with no separate time index to store.
    public func firstPosition(recordedAtOrAfter time: Timestamp) throws -> UInt64? {
        try read { transaction, _ in try firstPosition(recordedAtOrAfter: time, in: transaction) }
    }

    func firstPosition(recordedAtOrAfter time: Timestamp, in transaction: Transaction) throws -> UInt64? {
        let head = try ChainHead.read(in: transaction, databases: databases)
        var low: UInt64 = 1
        var high = head.position + 1
        while low < high {
            let middle = low + (high - low) / 2
            let recordedAt = try transaction.withValue(in: databases.events, key: middle.bigEndianBytes) {
                record in
                guard let record else {
                    throw LedgerError(.corrupted, "position \(middle) is missing; run `traceledger verify`")
                }
                return try RecordCodec.recordedAt(of: record)
            }
            if recordedAt < time { low = middle + 1 } else { high = middle }
        }
        return low <= head.position ? low : nil
    }

    /// The positions a query covers, resolving times to positions.
    func positionRange(of query: EventQuery, in transaction: Transaction) throws -> ClosedRange<UInt64>? {
        let head = try ChainHead.read(in: transaction, databases: databases)
        var first: UInt64 = 1
        switch query.from {
        case .position(let position): first = max(1, position)
        case .time(let time):
            guard let position = try firstPosition(recordedAtOrAfter: time, in: transaction) else {
                return nil
            }
            first = position
        case nil: break
        }
        var last = head.position
        switch query.until {
        case .position(let position): last = min(last, position)
        case .time(let time):
            let firstAfter = try firstPosition(recordedAtOrAfter: time, in: transaction)
            last = min(last, (firstAfter ?? head.position + 1) - 1)
        case nil: break
        }
        return first <= last ? first...last : nil
    }

    /// Calls `body` with each event the query matches, in log order, reading in chunks so that neither memory
    /// nor a read snapshot grows with the size of the log. Return false from `body` to stop.
    public func forEachEvent(matching query: EventQuery, _ body: (RecordedEvent) throws -> Bool) throws {
        let chunk: UInt64 = 1024
        guard var range = try read({ transaction, _ in try positionRange(of: query, in: transaction) }) else {
            return
        }
        var remaining = query.limit ?? Int.max
        if let actor = query.actor {
            let positions = try read { transaction, _ in
                try LedgerReader.positions(
                    in: databases.actors, key: Array(actor.utf8), transaction: transaction)
            }.filter { range.contains($0) }
            for start in stride(from: 0, to: positions.count, by: Int(chunk)) {
                let slice = positions[start..<min(positions.count, start + Int(chunk))]
                let events = try read { transaction, codec in
                    try slice.compactMap { position in
                        try LedgerReader.event(
                            at: position, transaction: transaction, databases: databases, codec: codec,
                            dictionaries: dictionaries)
                    }
                }
                for event in events where query.matches(event) {
                    guard remaining > 0, try body(event) else { return }
                    remaining -= 1
                }
            }
            return
        }
        while remaining > 0 {
            let end = min(range.upperBound, range.lowerBound + chunk - 1)
            let events = try read { transaction, codec in
                try transaction.withCursor(on: databases.events) { cursor in
                    var events: [RecordedEvent] = []
                    var entry = try range.lowerBound.bigEndianBytes.withUnsafeBytes { try cursor.seek($0) }
                    while let current = entry {
                        let position = UInt64(bigEndianBytes: current.key)
                        if position > end { break }
                        events.append(
                            try decode(
                                current.value, position: position, transaction: transaction, codec: codec))
                        entry = try cursor.next()
                    }
                    return events
                }
            }
            for event in events where query.matches(event) {
                guard remaining > 0, try body(event) else { return }
                remaining -= 1
            }
            if end >= range.upperBound { return }
            range = (end + 1)...range.upperBound
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
