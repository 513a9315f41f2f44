import Crypto
public import JSONKit
import LMDBKit

/// Where a projection stands, and a digest of everything it holds.
///
/// Sendable: plain values.
public struct ProjectionStatus: Sendable, Equatable {
    public let domain: Domain
    public let generation: UInt32
    /// The last position folded.
    public let checkpoint: UInt64
    public let entities: Int
    public let anomalies: Int
    /// SHA-256 (hex) over every key and value of the projection's database in key order: equal digests mean
    /// byte-identical state, whether it was rebuilt or caught up.
    public let digest: String
}

/// One entity's state as a person reads it.
///
/// Sendable: plain values.
public struct EntitySnapshot: Sendable, Equatable {
    public let domain: Domain
    public let entityId: String
    /// The fields in display order; amounts are decimal strings.
    public let fields: JSONObject
    /// The position of the last event that changed the entity.
    public let lastPosition: UInt64

    public init(domain: Domain, entityId: String, fields: JSONObject, lastPosition: UInt64) {
        self.domain = domain
        self.entityId = entityId
        self.fields = fields
        self.lastPosition = lastPosition
    }
}

extension ProjectionEngine {
    /// Each projection's checkpoint, counts and state digest (call `catchUp()` first for the head).
    public func statuses() throws -> [ProjectionStatus] {
        try read { snapshot in
            try Domain.projected.compactMap { domain in
                guard let entry = try snapshot.registry.entry(domain) else { return nil }
                let index = ProjectionIndex(snapshot: snapshot.ledger, generation: entry.generation)
                var hasher = SHA256()
                var entities = 0
                var anomalies = 0
                try index.forEach(prefix: []) { key, value in
                    if key.first == ProjectionKey.state { entities += 1 }
                    if key.first == ProjectionKey.anomaly { anomalies += 1 }
                    hasher.update(data: UInt32(key.count).bigEndianBytes)
                    hasher.update(data: key)
                    hasher.update(data: UInt32(value.count).bigEndianBytes)
                    hasher.update(bufferPointer: value)
                }
                let digest = hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
                return ProjectionStatus(
                    domain: domain, generation: entry.generation, checkpoint: entry.checkpoint,
                    entities: entities, anomalies: anomalies, digest: digest)
            }
        }
    }

    /// The current state of `entity` from its projection, or nil when the projection has no such entity.
    /// Customers also list their `duplicates`: other customers with the same normalised e-mail or VAT id.
    public func state(of entity: StreamKey) throws -> EntitySnapshot? {
        try withProjection(entity.domain) { index in
            switch entity.domain {
            case .order: return try Self.snapshot(OrderFold.self, entity.entityId, index)
            case .payment: return try Self.snapshot(PaymentFold.self, entity.entityId, index)
            case .stock: return try Self.snapshot(StockFold.self, entity.entityId, index)
            case .invoice: return try Self.snapshot(InvoiceFold.self, entity.entityId, index)
            case .customer:
                guard let customer = try FoldRunner<CustomerFold>.read(entity.entityId, in: index) else {
                    return nil
                }
                var fields = customer.fields
                fields.set("duplicates", try Self.duplicates(of: customer, index: index))
                return EntitySnapshot(
                    domain: .customer, entityId: entity.entityId, fields: fields,
                    lastPosition: customer.lastPosition)
            case .ledger: return nil
            }
        } ?? nil
    }

    private static func snapshot<Fold: DomainFold>(
        _ fold: Fold.Type, _ entityId: String, _ index: ProjectionIndex
    )
        throws -> EntitySnapshot?
    {
        guard let state = try FoldRunner<Fold>.read(entityId, in: index) else { return nil }
        return EntitySnapshot(
            domain: Fold.domain, entityId: entityId, fields: state.fields, lastPosition: state.lastPosition)
    }

    /// Other customers sharing `customer`'s normalised e-mail or VAT id.
    static func duplicates(of customer: CustomerState, index: ProjectionIndex) throws -> [String] {
        var others: [String] = []
        for (prefix, value) in [
            (ProjectionKey.email, customer.normalisedEmail), (ProjectionKey.vat, customer.normalisedVatId),
        ] {
            guard let value else { continue }
            try index.forEach(prefix: [prefix] + Array(value.utf8) + [0]) { key, _ in
                let id = String(decoding: key.dropFirst(value.utf8.count + 2), as: UTF8.self)
                if id != customer.customerId, !others.contains(id) { others.append(id) }
            }
        }
        return others.sorted()
    }

    /// Every anomaly the projections recorded, by projection then position.
    public func anomalies() throws -> [ProjectionAnomaly] { try read { try Self.anomalies(in: $0) } }

    static func anomalies(in snapshot: ProjectionSnapshot) throws -> [ProjectionAnomaly] {
        var all: [ProjectionAnomaly] = []
        for domain in Domain.projected {
            guard let index = try snapshot.projection(domain) else { continue }
            try index.forEach(prefix: [ProjectionKey.anomaly]) { key, value in
                let position = UInt64(bigEndianBytes: key.dropFirst())
                all.append(try ProjectionAnomaly(projection: domain, position: position, decoding: value))
            }
        }
        return all
    }

    /// The latest occurredAt of the events folded so far: what `reconcile` takes as "now", so that imported
    /// history is judged by its own clock. Nil before any event.
    public func latestOccurredAt() throws -> Timestamp? {
        try read { try $0.registry.clock().latestOccurredAt }
    }

    /// Runs `body` with the current database of `domain`'s projection in a read snapshot; nil when the
    /// projection was never built.
    func withProjection<Result>(_ domain: Domain, _ body: (ProjectionIndex) throws -> Result) throws
        -> Result?
    {
        try read { snapshot in try snapshot.projection(domain).map(body) }
    }

    /// Calls `body` with every state of `fold`'s projection, in entity id order.
    static func forEachState<Fold: DomainFold>(
        _ fold: Fold.Type, in index: ProjectionIndex, _ body: (Fold.State) throws -> Void
    ) throws {
        try index.forEach(prefix: [ProjectionKey.state]) { _, value in
            var reader = StateReader(value)
            try body(try Fold.State(decoding: &reader))
        }
    }
}

extension String {
    /// The string with `0`s in front up to `width` characters.
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
