import LMDBKit

/// A projection being folded inside one write transaction, type-erased so the engine can drive all of them
/// over one pass of the log.
protocol ProjectionFolding: AnyObject {
    var domain: Domain { get }
    /// Whether events of `type` can concern the projection.
    func concerns(_ type: String) -> Bool
    /// Applies `event` when it concerns the projection (an anomaly is recorded when it cannot be applied).
    func apply(_ event: ProjectionEvent) throws
    /// Writes the states changed since the last flush.
    func flush() throws
}

/// Folds events into one projection database within one write transaction, keeping the states it touches in
/// memory and writing each changed state once, at `flush()`: an order's dozen events in a chunk cost one
/// read and one write, not a dozen of each.
///
/// Not Sendable: it holds a write transaction, bound to its thread.
final class FoldRunner<Fold: DomainFold>: ProjectionFolding {
    private let index: ProjectionIndex
    private var states: [String: Fold.State?] = [:]
    private var changed: Set<String> = []

    init(transaction: Transaction, database: Database) {
        index = ProjectionIndex(transaction: transaction, database: database)
    }

    var domain: Domain { Fold.domain }

    /// Whether `type` can concern this projection.
    func concerns(_ type: String) -> Bool { Fold.concerns(type) }

    func apply(_ event: ProjectionEvent) throws {
        guard let entity = try Fold.target(of: event, index: index) else { return }
        let before = try state(of: entity)
        var after = before
        if let reason = Fold.apply(event, to: &after) {
            let anomaly = ProjectionAnomaly(
                projection: Fold.domain, position: event.position, entityId: entity, type: event.type,
                traceId: event.traceId, reason: reason)
            try index.put(ProjectionKey.anomaly(event.position), anomaly.encoded())
            return
        }
        states[entity] = after
        changed.insert(entity)
        try Fold.didApply(event, entity: entity, before: before, after: after, index: index)
    }

    func flush() throws {
        for entity in changed {
            guard let state = states[entity] ?? nil else { continue }
            var writer = StateWriter()
            state.encode(into: &writer)
            try index.put(ProjectionKey.make(ProjectionKey.state, entity), writer.bytes)
        }
        changed.removeAll(keepingCapacity: true)
        states.removeAll(keepingCapacity: true)
    }

    private func state(of entity: String) throws -> Fold.State? {
        if let cached = states[entity] { return cached }
        let stored = try Self.read(entity, in: index)
        states[entity] = stored
        return stored
    }

    /// The stored state of `entity`, or nil.
    static func read(_ entity: String, in index: ProjectionIndex) throws -> Fold.State? {
        try index.transaction.withValue(in: index.database, key: ProjectionKey.make(ProjectionKey.state, entity)) {
            guard let bytes = $0 else { return nil }
            var reader = StateReader(bytes)
            return try Fold.State(decoding: &reader)
        }
    }
}
