public import JSONKit

/// An instant of the ledger to read an entity's state at: a position, a recordedAt time (what the ledger
/// knew then) and/or an occurredAt time (what had happened in the source systems). Every bound given must
/// hold for an event to count.
///
/// Sendable: plain values.
public struct LogInstant: Sendable, Equatable {
    /// Events at or before this position.
    public var position: UInt64?
    /// Events recorded at or before this time.
    public var recordedAtOrBefore: Timestamp?
    /// Events that occurred strictly before this time.
    public var occurredBefore: Timestamp?

    public init(
        position: UInt64? = nil, recordedAtOrBefore: Timestamp? = nil, occurredBefore: Timestamp? = nil
    ) {
        self.position = position
        self.recordedAtOrBefore = recordedAtOrBefore
        self.occurredBefore = occurredBefore
    }

    /// Now: every event.
    public static let now = LogInstant()

    func includes(_ event: ProjectionEvent) -> Bool {
        if let position, event.position > position { return false }
        if let recordedAtOrBefore, event.recordedAt > recordedAtOrBefore { return false }
        if let occurredBefore, event.occurredAt >= occurredBefore { return false }
        return true
    }
}

/// A field that differs between two instants, and the events that changed it in between.
///
/// Sendable: plain values.
public struct FieldChange: Sendable, Equatable {
    public let field: String
    /// The value at the first instant; nil when the field was absent.
    public let from: JSONValue?
    /// The value at the second instant; nil when the field is absent.
    public let to: JSONValue?
    /// The events between the instants that changed the field, in log order.
    public let changedBy: [ChangeEvent]
}

/// An event named as the cause of a change.
///
/// Sendable: plain values.
public struct ChangeEvent: Sendable, Equatable {
    public let position: UInt64
    public let type: String
    public let occurredAt: Timestamp
}

extension ProjectionEngine {
    /// `entity`'s state at `instant`, folded from its own events only (its stream and, for an order, the
    /// payment and invoice events that named it): the cost grows with the entity's history, not the log's.
    /// Nil when no event of the entity counts at that instant.
    public func state(of entity: StreamKey, asOf instant: LogInstant) throws -> EntitySnapshot? {
        try steps(of: entity, through: instant).last?.snapshot
    }

    /// The fields of `entity` that differ between `from` and `to`, each with the events that changed it.
    public func diff(of entity: StreamKey, from: LogInstant, to: LogInstant) throws -> [FieldChange] {
        let steps = try steps(of: entity, through: to)
        let before = steps.last { from.includes($0.event) }
        let later = steps.drop { from.includes($0.event) }
        var causes: [String: [ChangeEvent]] = [:]
        var previous = before?.snapshot.fields ?? JSONObject()
        for step in later {
            let fields = step.snapshot.fields
            for key in Set(previous.keys + fields.keys) where previous[key] != fields[key] {
                causes[key, default: []].append(
                    ChangeEvent(
                        position: step.event.position, type: step.event.type,
                        occurredAt: step.event.occurredAt))
            }
            previous = fields
        }
        let start = before?.snapshot.fields ?? JSONObject()
        let order = (steps.last?.snapshot.fields.keys ?? []) + start.keys
        var seen: Set<String> = []
        return order.compactMap { key in
            guard seen.insert(key).inserted, start[key] != previous[key] else { return nil }
            return FieldChange(field: key, from: start[key], to: previous[key], changedBy: causes[key] ?? [])
        }
    }

    /// The entity's state after each event that counts at `instant` and was applied, in log order.
    private func steps(of entity: StreamKey, through instant: LogInstant) throws -> [FoldStep] {
        // The entity's positions, the order's linked events and the events themselves, from one snapshot.
        let events = try read { snapshot in
            var positions = try snapshot.ledger.positions(of: entity)
            if entity.domain == .order, let orders = try snapshot.projection(.order) {
                let prefix = [ProjectionKey.link] + Array(entity.entityId.utf8) + [0]
                var linked: [UInt64] = []
                try orders.forEach(prefix: prefix) { key, _ in
                    linked.append(UInt64(bigEndianBytes: key.dropFirst(prefix.count)))
                }
                positions = Array(Set(positions + linked)).sorted()
            }
            if let last = instant.position { positions = positions.filter { $0 <= last } }
            return try snapshot.ledger.events(at: positions).map(ProjectionEvent.init).filter(
                instant.includes)
        }
        switch entity.domain {
        case .order: return Self.steps(OrderFold.self, events, entity.entityId)
        case .payment: return Self.steps(PaymentFold.self, events, entity.entityId)
        case .stock: return Self.steps(StockFold.self, events, entity.entityId)
        case .invoice: return Self.steps(InvoiceFold.self, events, entity.entityId)
        case .customer: return Self.steps(CustomerFold.self, events, entity.entityId)
        case .ledger: return []
        }
    }

    /// One applied event and the state after it.
    private struct FoldStep {
        let event: ProjectionEvent
        let snapshot: EntitySnapshot
    }

    private static func steps<Fold: DomainFold>(
        _ fold: Fold.Type, _ events: [ProjectionEvent], _ entityId: String
    )
        -> [FoldStep]
    {
        var state: Fold.State?
        var steps: [FoldStep] = []
        for event in events where Fold.apply(event, to: &state) == nil {
            guard let state else { continue }
            steps.append(
                FoldStep(
                    event: event,
                    snapshot: EntitySnapshot(
                        domain: Fold.domain, entityId: entityId,
                        fields: state.fields, lastPosition: state.lastPosition)))
        }
        return steps
    }
}
