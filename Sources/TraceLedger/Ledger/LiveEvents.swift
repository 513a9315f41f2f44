/// The log from a position onwards, page by page, and then live: each `nextPage` returns the matching events
/// committed after the last page, waiting for the writer's next commit when there are none yet. The live tail
/// of the server and `traceledger tail` read it.
///
/// Not Sendable: a cursor owned by one reader.
public struct LiveEvents {
    public let ledger: Ledger
    /// Which events to return (its `from`/`until` are ignored: the cursor moves).
    public let query: EventQuery
    /// Only events of this trace.
    public let traceId: String?
    /// The next position to read.
    public private(set) var next: UInt64
    static let pageSize: UInt64 = 256

    public init(
        ledger: Ledger, from position: UInt64, query: EventQuery = EventQuery(), traceId: String? = nil
    ) {
        self.ledger = ledger
        self.next = max(1, position)
        self.query = query
        self.traceId = traceId
    }

    /// The next matching events: at once when some are committed, else after waiting up to `timeout` for a
    /// commit (an empty page when none came: the caller may send a heartbeat and ask again).
    public mutating func nextPage(timeout: Duration) async throws -> [RecordedEvent] {
        let started = ContinuousClock.now
        while true {
            let (events, head) = try read()
            if !events.isEmpty { return events }
            let waited = ContinuousClock.now - started
            if waited >= timeout || Task.isCancelled { return [] }
            await ledger.waitForCommit(after: head, timeout: min(timeout - waited, .seconds(1)))
        }
    }

    /// The next page with a matching event, or an empty one at the head. Positions the filters skip still
    /// move the cursor: a rare filter over a long history reads page after page (a loop, never recursion).
    private mutating func read() throws -> ([RecordedEvent], UInt64) {
        while true {
            let first = next
            let (events, head, last) = try ledger.read { [query, traceId] snapshot in
                let head = try snapshot.head().position
                let (end, overflow) = first.addingReportingOverflow(Self.pageSize - 1)
                let last = min(head, overflow ? .max : end)
                var events: [RecordedEvent] = []
                try snapshot.forEachEvent(from: first, through: last) { event in
                    if query.matches(event), traceId.map({ $0 == event.traceId }) ?? true {
                        events.append(event)
                    }
                    return true
                }
                return (events, head, last)
            }
            next = max(next, last + 1)
            if !events.isEmpty || next > head { return (events, head) }
        }
    }
}
