import LMDBKit

extension LedgerSnapshot {
    /// The event at `position`, or nil when there is none.
    public func event(at position: UInt64) throws -> RecordedEvent? {
        try transaction.withValue(in: databases.events, key: position.bigEndianBytes) { record in
            try record.map { try decode($0, position: position) }
        }
    }

    /// The position of the event with `id`, or nil.
    ///
    /// `event_ids` files an event under half its id (`PositionIndex.eventId`): each record under that key is
    /// read for its whole id, so a lookup that finds the event decompresses one record, and one that does not,
    /// nearly always none.
    public func position(ofEvent id: EventID) throws -> UInt64? {
        try position(ofEvent: id, key: PositionIndex.key(ofEvent: id))
    }

    /// The position of the event with `id`, whose `event_ids` key (`PositionIndex.key(ofEvent:)`) the caller
    /// hashed already.
    func position(ofEvent id: EventID, key: [UInt8]) throws -> UInt64? {
        for candidate in try positions(in: .eventId, key: key) {
            guard let found = try eventId(at: candidate) else {
                throw LedgerError(
                    .corrupted,
                    "the event-id index names position \(candidate), which holds no event: run "
                        + "`traceledger repair-indexes`")
            }
            if found == id { return candidate }
        }
        return nil
    }

    /// The id of the event at `position` (the first 16 bytes of its canonical body), or nil when there is none.
    func eventId(at position: UInt64) throws -> EventID? {
        try transaction.withValue(in: databases.events, key: position.bigEndianBytes) { record in
            guard let record else { return nil }
            do {
                return try codec.withDecoded(
                    record, dictionary: { try dictionaries.dictionary($0, in: self) }
                ) {
                    _, body in
                    guard body.count >= 16 else {
                        throw LedgerError(.corrupted, "a record's body is shorter than an event id")
                    }
                    return EventID(bytes: UnsafeRawBufferPointer(rebasing: body[..<16]))
                }
            } catch let error as LedgerError where error.kind == .corrupted {
                throw LedgerSnapshot.damagedRecord(at: position, error)
            }
        }
    }

    /// The event with `id`, or nil.
    public func event(withId id: EventID) throws -> RecordedEvent? {
        guard let position = try position(ofEvent: id) else { return nil }
        return try event(at: position)
    }

    /// Every event of a trace, in log order: the timeline of one business flow across systems.
    public func events(forTrace traceId: String) throws -> [RecordedEvent] {
        try events(at: positions(in: .trace, key: Array(traceId.utf8)))
    }

    /// One entity's events in order (its stream), oldest first.
    public func history(of stream: StreamKey) throws -> [RecordedEvent] {
        try events(at: positions(of: stream))
    }

    /// The positions of one entity's events, oldest first (cheap: no record is decoded).
    public func positions(of stream: StreamKey) throws -> [UInt64] {
        try positions(in: .stream, key: stream.storageKey)
    }

    /// Every event made by `actor`, in log order.
    public func events(byActor actor: String) throws -> [RecordedEvent] {
        try events(at: positions(in: .actor, key: Array(actor.utf8)))
    }

    /// The version of `stream`: how many events it has.
    func streamVersion(of stream: StreamKey) throws -> UInt64 {
        let key = stream.storageKey
        return try transaction.withCursor(on: databases.database(of: .stream)) { cursor in
            try key.withUnsafeBytes { key in
                guard try cursor.find(key) != nil else { return 0 }
                return UInt64(try cursor.duplicateCount())
            }
        }
    }

    /// The events at `positions`, which an index named: a missing one means a damaged store.
    func events(at positions: [UInt64]) throws -> [RecordedEvent] {
        try positions.map { position in
            guard let event = try event(at: position) else {
                throw LedgerError(
                    .corrupted,
                    "an index names position \(position), which is not in the log; run `traceledger verify`")
            }
            return event
        }
    }

    /// Every position stored under `key` in a position index, in order.
    func positions(in index: PositionIndex, key: [UInt8]) throws -> [UInt64] {
        guard index == .eventId else { return try positions(in: databases.database(of: index), key: key) }
        // The event-id index's log (`EventIdIndex`), through memory; a swept entry may be in both. The settled
        // tree is read only when memory's filter of its keys may hold this one.
        let number = EventIdIndex.number(ofKey: key)
        let committedHead = try pendingEventIds?.committedHead ?? head().position
        let recent = try recentEventIds.lookup(
            number,
            from: EventIdIndex.logStart(in: transaction, databases: databases) ?? committedHead + 1,
            through: committedHead,
            read: { first, last in
                try EventIdIndex.readLog(from: first, through: last, in: transaction, databases: databases)
            },
            readSettled: { try EventIdIndex.settledKeyFilter(in: transaction, databases: databases) })
        let settled = recent.mayBeSettled ? try positions(in: databases.eventIds, key: key) : []
        let found = recent.positions + (pendingEventIds?.positions(of: number) ?? [])
        guard !found.isEmpty else { return settled }
        return Array(Set(settled + found)).sorted()
    }

    private func positions(in database: Database, key: [UInt8]) throws -> [UInt64] {
        try transaction.withCursor(on: database) { cursor in
            try key.withUnsafeBytes { key in
                guard try cursor.find(key) != nil else { return [] }
                return try cursor.positionsOfCurrentKey()
            }
        }
    }

    /// Calls `body` with each event from `first` through `last`, in log order, while it returns true.
    ///
    /// - Returns: the position of the last event `body` was given (`first - 1` when none).
    @discardableResult
    public func forEachEvent(
        from first: UInt64, through last: UInt64, _ body: (consuming RecordedEvent) throws -> Bool
    )
        throws
        -> UInt64
    {
        guard first <= last else { return first - 1 }
        return try transaction.withCursor(on: databases.events) { cursor in
            var visited = first - 1
            var entry = try first.bigEndianBytes.withUnsafeBytes { try cursor.seek($0) }
            while let current = entry {
                guard current.key.count == 8 else {
                    throw LedgerError(
                        .corrupted,
                        "the events database is damaged after position \(visited): a key of \(current.key.count) bytes"
                    )
                }
                let position = UInt64(bigEndianBytes: current.key)
                if position > last { break }
                // Positions are gapless: a jump means a damaged page hid the records between.
                guard position == visited + 1 else {
                    throw LedgerError(
                        .corrupted, "the events database is damaged: position \(visited + 1) is missing")
                }
                visited = position
                guard try body(try decode(current.value, position: position)) else { break }
                entry = try cursor.next()
            }
            return visited
        }
    }

    /// The first position recorded at or after `time`, or nil when every event is older.
    ///
    /// recordedAt grows strictly with position, so this is a binary search over the log: O(log n) reads of
    /// record headers, with no separate time index to store.
    public func firstPosition(recordedAtOrAfter time: Timestamp) throws -> UInt64? {
        let head = try head()
        var low: UInt64 = 1
        var high = head.position + 1
        while low < high {
            let middle = low + (high - low) / 2
            let recordedAt = try transaction.withValue(in: databases.events, key: middle.bigEndianBytes) {
                record in
                guard let record else {
                    throw LedgerError(
                        .corrupted,
                        "the events database is damaged: position \(middle) is missing; run `traceledger verify`"
                    )
                }
                do {
                    return try RecordCodec.recordedAt(of: record)
                } catch let error as LedgerError where error.kind == .corrupted {
                    throw LedgerSnapshot.damagedRecord(at: middle, error)
                }
            }
            if recordedAt < time { low = middle + 1 } else { high = middle }
        }
        return low <= head.position ? low : nil
    }

    /// The positions from `from` through `until` (each a position or a recordedAt time), within the log as
    /// this snapshot sees it; nil when the range holds no position.
    public func positionRange(from: EventQuery.Bound?, until: EventQuery.Bound?) throws -> ClosedRange<
        UInt64
    >? {
        let head = try head()
        var first: UInt64 = 1
        switch from {
        case .position(let position): first = max(1, position)
        case .time(let time):
            guard let position = try firstPosition(recordedAtOrAfter: time) else { return nil }
            first = position
        case nil: break
        }
        var last = head.position
        switch until {
        case .position(let position): last = min(last, position)
        case .time(let time):
            let firstAfter = try firstPosition(recordedAtOrAfter: time)
            last = min(last, (firstAfter ?? head.position + 1) - 1)
        case nil: break
        }
        return first <= last ? first...last : nil
    }
}
