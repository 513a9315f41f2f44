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
        self.init(domain: domain, entityId: entityId, member: { payload[$0] })
    }

    /// The same from a lookup of the payload's members, each parsed only when it is read.
    private init(domain: Domain, entityId: String, member: (String) -> JSONValue?) {
        func field(_ name: String) -> String? {
            switch member(name) {
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

    /// The references of a stored event (verify, repair and the first open of an older store).
    ///
    /// Only the members the references name are parsed, through `JSONMemberIndex` (parsing each whole payload
    /// was a fifth of `traceledger verify`'s CPU): the payload was validated as a JSON object, without
    /// duplicate keys, when it was appended, so a member reads as the append read it; the hash chain checks
    /// that the bytes are still those.
    ///
    /// - Throws: `LedgerError` `.corrupted` when the stored payload is not a JSON object (appends only store
    ///   objects).
    init(of event: RecordedEvent) throws {
        guard let members = JSONMemberIndex(event.payload) else {
            throw LedgerError(
                .corrupted, "the payload of the event at position \(event.position) is not a JSON object")
        }
        self.init(domain: event.domain, entityId: event.entityId, member: { members[$0] })
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
        for content: EventContent, references: OrderReferences, known: inout Known,
        in snapshot: LedgerSnapshot
    ) throws -> String {
        for id in references.ids {
            if let trace = try trace(ofOrder: id, known: &known, in: snapshot) { return trace }
        }
        if let first = references.ids.first { return derivedTrace(from: "order:" + first) }
        return derivedTrace(from: "stream:" + content.streamKey.description)
    }

    /// What one write transaction has learnt of the index (an order's events come together: most lookups are
    /// answered here, not by the B-tree).
    struct Known {
        /// References with their traces.
        var traces: [String: String] = [:]
        /// References known to be the entity id of an order, payment or invoice stream.
        var streams: Set<String> = []
    }

    /// Records `trace` under each reference no earlier event made known: one the index does not hold and
    /// that is not the entity id of an order, payment or invoice stream (those answer for themselves; the
    /// event's own stream exists by now, written before its references).
    static func register(
        _ references: OrderReferences, trace: String, of content: EventContent, known: inout Known,
        in writeTransaction: LedgerWriteTransaction
    ) throws {
        let snapshot = writeTransaction.snapshot
        let ownId = streamDomains.contains(content.domain) ? content.entityId : nil
        for id in references.ids where id != ownId {
            if known.traces[id] != nil || known.streams.contains(id) { continue }
            if let stored = try storedTrace(of: id, in: snapshot) {
                known.traces[id] = stored
                continue
            }
            if try firstStreamPosition(of: id, in: snapshot, earliest: false) != nil {
                known.streams.insert(id)
                continue
            }
            try writeTransaction.put(
                Array(trace.utf8), at: Array(id.utf8), in: writeTransaction.databases.orders)
            known.traces[id] = trace
        }
    }

    /// `trace(ofOrder:in:)` through the transaction's cache.
    private static func trace(ofOrder id: String, known: inout Known, in snapshot: LedgerSnapshot)
        throws -> String?
    {
        if let trace = known.traces[id] { return trace }
        let trace = try trace(ofOrder: id, in: snapshot)
        if let trace { known.traces[id] = trace }
        return trace
    }

    /// The domains whose entity ids are order references, and so are found through `streams`, not `orders`.
    static let streamDomains: [Domain] = [.order, .payment, .invoice]

    /// The trace of an order reference, or nil: the one `orders` holds for it, else the trace of the first
    /// event of the order, payment or invoice stream with that id (the earliest, when more than one has it).
    /// An event's own entity id is thus never stored in `orders`: its stream already answers for it.
    static func trace(ofOrder id: String, in snapshot: LedgerSnapshot) throws -> String? {
        guard !id.isEmpty, id.utf8.count <= EventLimits.maximumKeyFieldBytes else { return nil }
        if let stored = try storedTrace(of: id, in: snapshot) { return stored }
        return try firstStreamPosition(of: id, in: snapshot).flatMap { try snapshot.event(at: $0)?.traceId }
    }

    /// The trace `orders` holds for `id`, or nil.
    private static func storedTrace(of id: String, in snapshot: LedgerSnapshot) throws -> String? {
        try snapshot.transaction.value(in: snapshot.databases.orders, key: Array(id.utf8)).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// The first position of the earliest order, payment or invoice stream whose entity id is `id` (with
    /// `earliest` false, of the first such stream found: enough to know there is one), or nil. One cursor for
    /// the three keys.
    private static func firstStreamPosition(of id: String, in snapshot: LedgerSnapshot, earliest: Bool = true)
        throws -> UInt64?
    {
        try snapshot.transaction.withCursor(on: snapshot.databases.database(of: .stream)) { cursor in
            var first: UInt64?
            for domain in streamDomains {
                let key = StreamKey(domain: domain, entityId: id).storageKey
                let position = try key.withUnsafeBytes { key -> UInt64? in
                    guard try cursor.find(key) != nil, let values = try cursor.currentValues(),
                        values.count >= 8
                    else { return nil }
                    return UInt64(bigEndianBytes: values[0..<8])
                }
                if let position, position < first ?? .max {
                    first = position
                    if !earliest { break }
                }
            }
            return first
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
        var expected = ExpectedEntries()
        let head = try snapshot.head().position
        guard head > 0 else { return [:] }
        try snapshot.forEachEvent(from: 1, through: head) { event in
            try addExpectedEntries(of: event, to: &expected)
            return true
        }
        return expected.entries
    }

    /// What the index should hold, built from the records in position order (`addExpectedEntries`).
    struct ExpectedEntries {
        /// Reference → trace: what the index should hold.
        var entries: [String: String] = [:]
        /// The entity ids of the order, payment and invoice streams so far, which the index leaves out.
        var streamIds: Set<String> = []
    }

    /// Adds the entries `event` makes (fed in position order: the first writer wins). Its stream exists once
    /// it is appended, before its references are registered: so its own entity id is never an entry.
    static func addExpectedEntries(of event: RecordedEvent, to expected: inout ExpectedEntries) throws {
        if streamDomains.contains(event.domain) { expected.streamIds.insert(event.entityId) }
        for id in try OrderReferences(of: event).ids
        where expected.entries[id] == nil && !expected.streamIds.contains(id) {
            expected.entries[id] = event.traceId
        }
    }

    /// The index's layout, stored as `orders.layout`: 2 leaves out the entity ids of order, payment and invoice
    /// streams (60% of the entries of the workload). The first layout, which held every reference, was marked
    /// by `orders.complete` instead: a build of that time sees that key absent from a store of layout 2 and
    /// rebuilds the index its own way before using it, and this build rebuilds it again when it finds that key.
    static let layout: UInt8 = 2

    /// Writes the index of an older store, whose events were appended before it existed or before its present
    /// layout, and marks it complete; does nothing when it already is. Runs in the setup transaction of
    /// `Ledger.open`.
    static func buildIfMissing(in snapshot: LedgerSnapshot) throws {
        let transaction = snapshot.transaction
        let meta = snapshot.databases.meta
        if try transaction.value(in: meta, key: MetaKey.orderIndexLayout.bytes) == [layout],
            try transaction.value(in: meta, key: MetaKey.orderIndexComplete.bytes) == nil
        {
            return
        }
        try transaction.empty(snapshot.databases.orders)
        for (id, trace) in try expectedEntries(in: snapshot) {
            try transaction.put(in: snapshot.databases.orders, key: Array(id.utf8), value: Array(trace.utf8))
        }
        _ = try transaction.delete(in: meta, key: MetaKey.orderIndexComplete.bytes)
        try markComplete(in: transaction, databases: snapshot.databases)
    }

    /// Marks the index as holding every event's references in this layout (a new store's, from its first event).
    static func markComplete(in transaction: Transaction, databases: LedgerDatabases) throws {
        try transaction.put(in: databases.meta, key: MetaKey.orderIndexLayout.bytes, value: [layout])
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
