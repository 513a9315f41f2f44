import Crypto
import JSONKit
import LMDBKit

/// The ids that tie an event to an order — the shop's order id, the ERP's, the payment provider's — in the
/// order an event without a trace id looks them up.
///
/// One order, one trace, without anyone passing a trace id around: an event that arrives without one joins
/// the trace already recorded under the first of its references that the `orders` index knows, and every
/// event's references are recorded there (first writer wins) so later events find it. docs/ingestion.md has
/// the table.
///
/// Sendable: plain values.
struct OrderReferences: Sendable, Equatable {
    /// The ids, the order's own first; none for events that belong to no order (customers, stock counts).
    let ids: [String]

    /// The references of an event with this domain, entity and (parsed) payload.
    ///
    /// - order: `payload.orderId` (an ERP or warehouse event that names the shop's order), the entity,
    ///   `payload.erpOrderId`, `payload.shopifyOrderId`;
    /// - payment: `payload.orderId`, `payload.providerPaymentId`, the entity (the payment's own id);
    /// - invoice: `payload.orderId`, `payload.erpOrderId`, the entity;
    /// - stock: `payload.orderId` (reservations, releases and shipments of an order);
    /// - customer and ledger: none.
    init(domain: Domain, entityId: String, payload: JSONValue) {
        func field(_ name: String) -> String? {
            switch payload[name] {
            case .string(let text): text
            case .number(let number) where number.isInteger: number.literal
            default: nil
            }
        }
        let candidates: [String?] =
            switch domain {
            case .order: [field("orderId"), entityId, field("erpOrderId"), field("shopifyOrderId")]
            case .payment: [field("orderId"), field("providerPaymentId"), entityId]
            case .invoice: [field("orderId"), field("erpOrderId"), entityId]
            case .stock: [field("orderId")]
            case .customer, .ledger: []
            }
        var ids: [String] = []
        for case let id? in candidates where Self.isIndexable(id) && !ids.contains(id) { ids.append(id) }
        self.ids = ids
    }

    /// The references of a stored event (its payload parsed again: verify, repair and the first open of an
    /// older store).
    ///
    /// - Throws: `LedgerError` `.corrupted` when the stored payload is not JSON (appends only store JSON).
    init(of event: RecordedEvent) throws {
        let payload: JSONValue
        do {
            payload = try event.payload.withUnsafeBytes { try JSONParser.parse($0) }.value
        } catch {
            throw LedgerError(
                .corrupted, "the payload of the event at position \(event.position) is not JSON: \(error)")
        }
        self.init(domain: event.domain, entityId: event.entityId, payload: payload)
    }

    /// An id is an index key: LMDB keys hold 511 bytes at most.
    private static func isIndexable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= EventLimits.maximumKeyFieldBytes
    }
}

/// The `orders` index: order reference → the trace of that order. Written in the transaction of the append,
/// read by appends (to give an event without a trace its order's) and by `trace --order`.
enum OrderIndex {
    /// The trace an event without one is given: its order's when any of its references is known, else one
    /// derived from its first reference (so a payment that arrives before its order still lands on the
    /// trace the order will get), else one derived from its stream.
    ///
    /// - Parameter known: the references this transaction has already looked up or written, with their traces
    ///   (an order's events come together: most lookups are answered here, not by the B-tree).
    static func resolveTrace(
        for content: EventContent, references: OrderReferences, known: inout [String: String],
        in snapshot: LedgerSnapshot
    ) throws -> String {
        for id in references.ids {
            if let trace = try trace(ofOrder: id, known: &known, in: snapshot) { return trace }
        }
        if let first = references.ids.first { return derivedTrace(from: "order:" + first) }
        return derivedTrace(from: "stream:" + content.streamKey.description)
    }

    /// Records `trace` under each reference the index does not hold yet.
    static func register(
        _ references: OrderReferences, trace: String, known: inout [String: String],
        in writeTransaction: LedgerWriteTransaction
    ) throws {
        for id in references.ids
        where try Self.trace(ofOrder: id, known: &known, in: writeTransaction.snapshot) == nil {
            try writeTransaction.put(
                Array(trace.utf8), at: Array(id.utf8), in: writeTransaction.databases.orders)
            known[id] = trace
        }
    }

    /// `trace(ofOrder:in:)` through the transaction's cache.
    private static func trace(ofOrder id: String, known: inout [String: String], in snapshot: LedgerSnapshot)
        throws -> String?
    {
        if let trace = known[id] { return trace }
        let trace = try trace(ofOrder: id, in: snapshot)
        if let trace { known[id] = trace }
        return trace
    }

    /// The trace recorded under an order reference, or nil.
    static func trace(ofOrder id: String, in snapshot: LedgerSnapshot) throws -> String? {
        guard !id.isEmpty, id.utf8.count <= EventLimits.maximumKeyFieldBytes else { return nil }
        return try snapshot.transaction.value(in: snapshot.databases.orders, key: Array(id.utf8)).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// A W3C-shaped trace id (32 lowercase hex digits) that depends only on `seed`.
    static func derivedTrace(from seed: String) -> String {
        let digest = SHA256.hash(data: Array(("traceledger-trace\u{0}" + seed).utf8))
        return lowercaseHex(digest.prefix(16))
    }

    /// Every reference → trace entry the index should hold for the events at positions 1...head: what the
    /// appends wrote, rebuilt from the records (verify and repair compare against it).
    static func expectedEntries(in snapshot: LedgerSnapshot) throws -> [String: String] {
        var entries: [String: String] = [:]
        let head = try snapshot.head().position
        guard head > 0 else { return entries }
        try snapshot.forEachEvent(from: 1, through: head) { event in
            try addExpectedEntries(of: event, to: &entries)
            return true
        }
        return entries
    }

    /// Adds the entries `event` makes to `entries` (fed in position order: the first writer wins).
    static func addExpectedEntries(of event: RecordedEvent, to entries: inout [String: String]) throws {
        for id in try OrderReferences(of: event).ids where entries[id] == nil {
            entries[id] = event.traceId
        }
    }

    /// Writes the index of an older store, whose events were appended before it existed, and marks it
    /// complete; does nothing when it already is. Runs in the setup transaction of `Ledger.open`.
    static func buildIfMissing(in snapshot: LedgerSnapshot) throws {
        let marker = MetaKey.orderIndexComplete.bytes
        guard try snapshot.transaction.value(in: snapshot.databases.meta, key: marker) == nil else { return }
        for (id, trace) in try expectedEntries(in: snapshot) {
            try snapshot.transaction.put(
                in: snapshot.databases.orders, key: Array(id.utf8), value: Array(trace.utf8))
        }
        try markComplete(in: snapshot.transaction, databases: snapshot.databases)
    }

    /// Marks the index as holding every event's references (a new store's, from its first event).
    static func markComplete(in transaction: Transaction, databases: LedgerDatabases) throws {
        try transaction.put(in: databases.meta, key: MetaKey.orderIndexComplete.bytes, value: [1])
    }
}

extension LedgerSnapshot {
    /// The trace of the order known by `id` — the shop's order id, the ERP's or a payment's — or nil.
    public func trace(ofOrder id: String) throws -> String? { try OrderIndex.trace(ofOrder: id, in: self) }
}

extension Ledger {
    /// The trace of the order known by `id` (its shop, ERP or payment id), or nil when no event names it.
    public func trace(ofOrder id: String) throws -> String? { try read { try $0.trace(ofOrder: id) } }
}
