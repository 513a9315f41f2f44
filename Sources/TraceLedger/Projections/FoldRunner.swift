import LMDBKit

/// A projection being folded, one chunk after another, as one of the concrete runners: the
/// engine drives all of them over one pass of the log, and each call reaches a runner specialised for its
/// fold (a protocol existential here would run the generic code unspecialised, at half the speed).
enum AnyFoldRunner {
    case order(FoldRunner<OrderFold>)
    case payment(FoldRunner<PaymentFold>)
    case stock(FoldRunner<StockFold>)
    case invoice(FoldRunner<InvoiceFold>)
    case customer(FoldRunner<CustomerFold>)

    init(for domain: Domain, statesCached: Int) {
        switch domain {
        case .order: self = .order(FoldRunner(cacheLimit: statesCached))
        case .payment: self = .payment(FoldRunner(cacheLimit: statesCached))
        case .stock: self = .stock(FoldRunner(cacheLimit: statesCached))
        case .invoice: self = .invoice(FoldRunner(cacheLimit: statesCached))
        case .customer: self = .customer(FoldRunner(cacheLimit: statesCached))
        case .ledger: preconditionFailure("the ledger's own events have no projection")
        }
    }

    /// Whether events of `domain` and `type` can concern the projection.
    func concerns(_ domain: Domain, _ type: String) -> Bool {
        switch self {
        case .order: OrderFold.concerns(domain, type)
        case .payment: PaymentFold.concerns(domain, type)
        case .stock: StockFold.concerns(domain, type)
        case .invoice: InvoiceFold.concerns(domain, type)
        case .customer: CustomerFold.concerns(domain, type)
        }
    }

    /// Starts a chunk that reads `index` (under the uncommitted writes) and continues the generation at
    /// `version`.
    func begin(_ index: ProjectionIndex, version: ProjectionRegistry.Entry) {
        switch self {
        case .order(let runner): runner.begin(index, version: version)
        case .payment(let runner): runner.begin(index, version: version)
        case .stock(let runner): runner.begin(index, version: version)
        case .invoice(let runner): runner.begin(index, version: version)
        case .customer(let runner): runner.begin(index, version: version)
        }
    }

    /// Applies `event` when it concerns the projection (an anomaly is recorded when it cannot be applied).
    func apply(_ event: ProjectionEvent) throws {
        switch self {
        case .order(let runner): try runner.apply(event)
        case .payment(let runner): try runner.apply(event)
        case .stock(let runner): try runner.apply(event)
        case .invoice(let runner): try runner.apply(event)
        case .customer(let runner): try runner.apply(event)
        }
    }

    /// Ends the chunk: the states changed since `begin` join its writes, and the generation will be at
    /// `version` once they are committed.
    func flush(version: ProjectionRegistry.Entry) {
        switch self {
        case .order(let runner): runner.flush(version: version)
        case .payment(let runner): runner.flush(version: version)
        case .stock(let runner): runner.flush(version: version)
        case .invoice(let runner): runner.flush(version: version)
        case .customer(let runner): runner.flush(version: version)
        }
    }

    /// What the runner wrote and has not committed.
    var writes: FoldWrites {
        switch self {
        case .order(let runner): runner.writes
        case .payment(let runner): runner.writes
        case .stock(let runner): runner.writes
        case .invoice(let runner): runner.writes
        case .customer(let runner): runner.writes
        }
    }

    /// Forgets the cache and the uncommitted writes.
    func reset() {
        switch self {
        case .order(let runner): runner.reset()
        case .payment(let runner): runner.reset()
        case .stock(let runner): runner.reset()
        case .invoice(let runner): runner.reset()
        case .customer(let runner): runner.reset()
        }
    }
}

/// Folds events into one projection generation, keeping the states it touches in memory and writing each
/// changed state once per chunk, at `flush`: an order's dozen events cost one read and one write per chunk,
/// not a dozen of each. What a chunk writes is held in `writes` until the writer commits it, so the next chunk
/// can be folded meanwhile. The states stay cached across chunks as long as nobody else moved the projection
/// in between (`begin` compares versions), up to `cacheLimit` entities.
///
/// Not Sendable: between `begin` and `flush` it holds a snapshot, bound to its thread.
final class FoldRunner<Fold: DomainFold> {
    private var stored: ProjectionIndex?
    let writes = FoldWrites()
    /// An entity known to the cache: its state (nil while it has none) and whether the chunk changed it.
    private struct Slot {
        var state: Fold.State?
        var changed = false
    }
    /// Entities known to the cache; an entity absent here is read from the database.
    private var states: [String: Slot] = [:]
    /// The entities the chunk changed, each once.
    private var changed: [String] = []
    private var cachedVersion: ProjectionRegistry.Entry?
    /// The most states kept past a chunk; beyond, the cache is emptied at the chunk's end.
    private let cacheLimit: Int
    /// Whether the cache holds every state the database holds, so that an entity it lacks has none and needs no
    /// read: from a generation's first event (checkpoint 0, nothing folded into it yet, as a rebuild's new
    /// generation) until the cache is emptied. A rebuild looked up each of its ~300,000 entities in vain.
    private var cacheIsComplete = false

    init(cacheLimit: Int) { self.cacheLimit = cacheLimit }

    /// Starts a chunk that reads `stored` (under the uncommitted writes) and continues the generation at
    /// `version`.
    func begin(_ stored: ProjectionIndex, version: ProjectionRegistry.Entry) {
        self.stored = stored
        if version != cachedVersion {
            states.removeAll(keepingCapacity: true)
            cacheIsComplete = version.checkpoint == 0
        }
    }

    func apply(_ event: ProjectionEvent) throws {
        guard let stored else { preconditionFailure("FoldRunner.apply outside begin/flush") }
        let index = FoldIndex(stored: stored, writes: writes)
        guard let entity = try Fold.target(of: event, index: index) else { return }
        if !cacheIsComplete, states[entity] == nil {
            states[entity] = Slot(state: try Self.read(entity, in: index))
        }
        // Changed where it lies in the cache: one lookup, and the state, uniquely referenced, mutated in place.
        try apply(event, to: &states[entity, default: Slot()], of: entity, index: index)
    }

    private func apply(_ event: ProjectionEvent, to slot: inout Slot, of entity: String, index: FoldIndex)
        throws
    {
        let before = Fold.needsPreviousState ? slot.state : nil
        if let reason = Fold.apply(event, to: &slot.state) {
            let anomaly = ProjectionAnomaly(
                projection: Fold.domain, position: event.position, entityId: entity, type: event.type,
                traceId: event.traceId, reason: reason)
            index.put(ProjectionKey.anomaly(event.position), anomaly.encoded())
            return
        }
        if !slot.changed {
            slot.changed = true
            changed.append(entity)
        }
        try Fold.didApply(event, entity: entity, before: before, after: slot.state, index: index)
    }

    /// Ends the chunk: the states it changed join its writes, and the runner expects the generation at
    /// `version` next.
    func flush(version: ProjectionRegistry.Entry) {
        guard stored != nil else { preconditionFailure("FoldRunner.flush without begin") }
        for entity in changed {
            guard let state = Self.endChange(of: &states[entity]) else { continue }
            var writer = StateWriter()
            state.encode(into: &writer)
            writes.put(ProjectionKey.make(ProjectionKey.state, entity), writer.bytes)
        }
        changed.removeAll(keepingCapacity: true)
        if states.count > cacheLimit {
            states.removeAll(keepingCapacity: true)
            cacheIsComplete = false
        }
        cachedVersion = version
        stored = nil
    }

    /// The state of a changed slot, which is marked unchanged.
    private static func endChange(of slot: inout Slot?) -> Fold.State? {
        slot?.changed = false
        return slot?.state
    }

    /// Forgets the cache and every uncommitted write: the chunks folded since the last commit will not be
    /// committed, so the next `begin` starts from what is stored.
    func reset() {
        writes.discard()
        states.removeAll(keepingCapacity: true)
        changed.removeAll(keepingCapacity: true)
        cachedVersion = nil
        cacheIsComplete = false
        stored = nil
    }

    /// The state of `entity` as a fold sees it, or nil.
    static func read(_ entity: String, in index: FoldIndex) throws -> Fold.State? {
        try index.withValue(ProjectionKey.make(ProjectionKey.state, entity)) { try decode($0) }
    }

    /// The stored state of `entity`, or nil.
    static func read(_ entity: String, in index: ProjectionIndex) throws -> Fold.State? {
        try index.withValue(ProjectionKey.make(ProjectionKey.state, entity)) { try decode($0) }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer?) throws -> Fold.State? {
        guard let bytes else { return nil }
        var reader = StateReader(bytes)
        return try Fold.State(decoding: &reader)
    }
}
