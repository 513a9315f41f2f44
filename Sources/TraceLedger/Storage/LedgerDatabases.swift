import Crypto
import LMDBKit

/// The named LMDB databases of a store: the storage schema in one place. docs/record-format.md describes
/// each key and value; `stats` lists every one of them.
enum StoreDatabase: String, CaseIterable, Sendable {
    /// position (u64) → record; written with MDB_APPEND.
    case events
    /// The first 8 bytes of the event id's SHA-256 → positions: permanent idempotency (`PositionIndex.eventId`),
    /// for the events settled out of `event_id_log` (`EventIdIndex`).
    case eventIds = "event_ids"
    /// position (u64) → the event's `event_ids` key, for the newest events until they are settled into
    /// `event_ids` in key order; written with MDB_APPEND.
    case eventIdLog = "event_id_log"
    /// traceId → positions (duplicate-sorted, fixed 8-byte values).
    case traces
    /// `domain/entityId` → positions; an entity's version is its number of positions.
    case streams
    /// actor → positions.
    case actors
    /// `MetaKey` → value: format, chain head, zstd dictionaries.
    case meta
    /// consumer name → its replay checkpoint (`ConsumerState`).
    case consumers
    /// consumer name ‖ 0 ‖ position (u64) → a dead letter (`DeadLetter`).
    case deadLetters = "dead_letters"
    /// The projection registry (`ProjectionRegistry`): current generations, checkpoints, the clock.
    case projections
    /// generation (u32) ‖ projection key → value: every projection's state (`ProjectionIndex`).
    case projectionData = "projection_data"
    /// order reference (the shop's, the ERP's or a payment's id) → the order's trace id (`OrderIndex`).
    case orders
    /// SHA-256 of a delivery's raw body (32 bytes) → its length (u32) ‖ the body compressed with zstd: the
    /// evidence a webhook's events were mapped from (`DeliveryEvidence`).
    case deliveries
    /// position of the subtree's last leaf (u64) ‖ level (u8, ≥ 4) → the hash of that complete subtree of the
    /// Merkle tree (`MerkleTree`); lower levels are recomputed from the events.
    case merkle
    /// tree size (u64) → a signed checkpoint (C2SP signed note) at that size (`Checkpoint`).
    case checkpoints

    var flags: DatabaseFlags {
        switch self {
        case .eventIds, .traces, .streams, .actors: [.duplicateSort, .duplicateFixed]
        default: []
        }
    }

    /// Whether the database is rebuilt from the records (an index), rather than holding what only it knows.
    var isDerivedFromRecords: Bool {
        self == .eventIds || self == .eventIdLog || self == .traces || self == .streams || self == .actors
            || self == .orders || self == .merkle
    }

    /// Databases added after format 1 was first written: created when an older store is opened.
    var createdOnOpen: Bool {
        self == .consumers || self == .deadLetters || self == .projections || self == .projectionData
            || self == .orders || self == .deliveries || self == .merkle || self == .checkpoints
    }
}

/// An index from a part of an event (its id, its trace, its stream, its actor) to the positions of the events
/// that have it. The appender writes one entry per index for every event; a new index is one more case.
enum PositionIndex: CaseIterable, Sendable {
    /// The first 8 bytes of the SHA-256 of the event id: half the key of the whole id, and a quarter fewer bytes
    /// per entry. A hash, not a part of the id: ids that share most of their bytes (UUID v1 and v6 of one host
    /// share the last 8, v7 of one millisecond the first 6) still spread, and a client that wants many ids under
    /// one key must search for them (~2⁴⁸ hashes for four). A lookup compares the whole id of each record under
    /// the key (`LedgerSnapshot.position(ofEvent:)`).
    case eventId
    case trace, stream, actor

    /// The database the index is named by and rebuilt into (the event-id index's new entries go to its log
    /// first: `EventIdIndex`).
    var database: StoreDatabase {
        switch self {
        case .eventId: .eventIds
        case .trace: .traces
        case .stream: .streams
        case .actor: .actors
        }
    }

    /// The key `content` is indexed under.
    func key(of content: EventContent) -> [UInt8] {
        switch self {
        case .eventId: PositionIndex.key(ofEvent: content.eventId)
        case .trace: Array(content.traceId.utf8)
        case .stream: StreamKey.storageKey(domain: content.domain, entityId: content.entityId)
        case .actor: Array(content.actor.utf8)
        }
    }

    /// The `event_ids` key of an event id.
    static func key(ofEvent id: EventID) -> [UInt8] {
        // Hashed from the id's two words as they lie, big-endian: no array of its bytes on the append path.
        withUnsafeBytes(of: (id.high.bigEndian, id.low.bigEndian)) { Array(SHA256.hash(data: $0).prefix(8)) }
    }

    /// What an entry of `content` is filed under, for a message naming a missing one.
    func describeKey(of content: EventContent) -> String {
        switch self {
        case .eventId: "event \(content.eventId)"
        case .trace, .stream, .actor: "\"\(String(decoding: key(of: content), as: UTF8.self))\""
        }
    }
}

extension StreamKey {
    /// `domain/entityId` as stored in the `streams` index.
    static func storageKey(domain: Domain, entityId: String) -> [UInt8] {
        Array(domain.rawValue.utf8) + [UInt8(ascii: "/")] + Array(entityId.utf8)
    }

    var storageKey: [UInt8] { StreamKey.storageKey(domain: domain, entityId: entityId) }
}

/// The open handles of a store's databases.
///
/// Sendable: only database handles, valid for the environment's lifetime.
struct LedgerDatabases: Sendable {
    private let handles: [StoreDatabase: Database]
    // The hot ones as stored properties: a dictionary lookup per put would show in the append profile.
    let events: Database
    let eventIds: Database
    let eventIdLog: Database
    let meta: Database
    let consumers: Database
    let deadLetters: Database
    let projections: Database
    let projectionData: Database
    let orders: Database
    let deliveries: Database
    let merkle: Database
    let checkpoints: Database
    /// The position indexes whose new entries the appender files under their key, with their databases, in the
    /// order it writes them (the event-id index's go to its log: `EventIdIndex`).
    let keyedIndexes: [(index: PositionIndex, database: Database)]

    subscript(database: StoreDatabase) -> Database { handles[database]! }

    /// The database `index` is rebuilt into (for the event-id index, its settled tree).
    func database(of index: PositionIndex) -> Database { handles[index.database]! }

    /// Opens the databases; with `create`, creates the missing ones (the transaction must be a write transaction).
    ///
    /// - Throws: `LMDBError` with code `notFound` when a database of format 1 is missing (not a store).
    static func open(in environment: Environment, transaction: Transaction, create: Bool) throws
        -> LedgerDatabases
    {
        var handles: [StoreDatabase: Database] = [:]
        for database in StoreDatabase.allCases {
            let flags = database.flags.union(create || database.createdOnOpen ? [.create] : [])
            handles[database] = try environment.openDatabase(
                named: database.rawValue, flags: flags, in: transaction)
        }
        return LedgerDatabases(handles: handles)
    }

    private init(handles: [StoreDatabase: Database]) {
        self.handles = handles
        events = handles[.events]!
        eventIds = handles[.eventIds]!
        eventIdLog = handles[.eventIdLog]!
        meta = handles[.meta]!
        consumers = handles[.consumers]!
        deadLetters = handles[.deadLetters]!
        projections = handles[.projections]!
        projectionData = handles[.projectionData]!
        orders = handles[.orders]!
        deliveries = handles[.deliveries]!
        merkle = handles[.merkle]!
        checkpoints = handles[.checkpoints]!
        keyedIndexes = PositionIndex.allCases.filter { $0 != .eventId }.map { ($0, handles[$0.database]!) }
    }
}
