import LMDBKit

/// The store's RFC 6962 tree over its events in position order, kept in the append's transaction.
///
/// Stored compactly: the hash of every complete subtree of height 4 and above (16 leaves and more) in the
/// `merkle` database — 32 bytes per 16 events plus as much again above, about 4 bytes per event — and the
/// right edge in `meta`. A subtree below height 4 is recomputed from its at most 16 events, so a proof or a
/// past root reads O(log n) nodes and at most a few dozen events.
enum MerkleTree {
    /// The lowest level whose nodes are stored.
    static let storedLevel = 4

    /// The position of the subtree's last leaf, then its level: nodes complete in exactly this order as
    /// events are appended, so every put is an append to the B-tree (full pages, no splits in the middle).
    static func nodeKey(level: Int, index: UInt64) -> [UInt8] {
        ((index + 1) << level).bigEndianBytes + [UInt8(level)]
    }

    /// The right edge at the head.
    ///
    /// - Throws: `LedgerError` `.corrupted` when it is missing or does not match the head.
    static func frontier(in snapshot: LedgerSnapshot) throws -> MerkleFrontier {
        let head = try snapshot.head().position
        guard
            let bytes = try snapshot.transaction.value(
                in: snapshot.databases.meta, key: MetaKey.merkleFrontier.bytes)
        else {
            if head == 0 { return MerkleFrontier() }
            throw LedgerError(
                .corrupted,
                "the Merkle tree's edge is missing from the store; run `traceledger repair-indexes`")
        }
        guard let frontier = MerkleFrontier(encoded: bytes), frontier.size == head else {
            throw LedgerError(
                .corrupted,
                "the Merkle tree's edge does not match the head (position \(head)); run `traceledger repair-indexes`"
            )
        }
        return frontier
    }

    static func write(_ frontier: MerkleFrontier, in transaction: Transaction, databases: LedgerDatabases)
        throws
    {
        try transaction.put(in: databases.meta, key: MetaKey.merkleFrontier.bytes, value: frontier.encoded)
    }

    /// Adds `leafHash` to `frontier`, storing the nodes it completes at the stored levels.
    static func append(
        _ leafHash: RFC6962.Hash, to frontier: inout MerkleFrontier, in transaction: Transaction,
        databases: LedgerDatabases
    ) throws {
        try frontier.append(leafHash) { level, index, hash in
            guard level >= storedLevel else { return }
            try transaction.put(
                in: databases.merkle, key: nodeKey(level: level, index: index), value: hash, flags: .append)
        }
    }

    /// The hash of the aligned complete subtree of `size` leaves from index `start`: stored, or computed from
    /// the events below the stored levels.
    static func subtree(start: UInt64, size: UInt64, in snapshot: LedgerSnapshot) throws -> RFC6962.Hash {
        let level = size.trailingZeroBitCount
        if level >= storedLevel {
            guard
                let hash = try snapshot.transaction.value(
                    in: snapshot.databases.merkle, key: nodeKey(level: level, index: start >> level)),
                hash.count == 32
            else {
                throw LedgerError(
                    .corrupted,
                    "the Merkle node over positions \(start + 1)–\(start + size) is missing; run `traceledger repair-indexes`"
                )
            }
            return hash
        }
        var hashes: [RFC6962.Hash] = []
        hashes.reserveCapacity(Int(size))
        try snapshot.forEachEvent(from: start + 1, through: start + size) { event in
            hashes.append(EventLeaf.hash(of: event))
            return true
        }
        guard hashes.count == Int(size) else {
            throw LedgerError(.corrupted, "positions \(start + 1)–\(start + size) are not all in the log")
        }
        while hashes.count > 1 {
            hashes = stride(from: 0, to: hashes.count, by: 2).map {
                RFC6962.nodeHash(hashes[$0], hashes[$0 + 1])
            }
        }
        return hashes[0]
    }

    /// Rebuilds the tree from the events (a store made before the tree existed, `repair-indexes`): the nodes
    /// and the edge, in the transaction of `snapshot`.
    static func rebuild(in snapshot: LedgerSnapshot) throws {
        let transaction = snapshot.transaction
        try transaction.empty(snapshot.databases.merkle)
        var frontier = MerkleFrontier()
        let head = try snapshot.head().position
        if head > 0 {
            try snapshot.forEachEvent(from: 1, through: head) { event in
                try append(
                    EventLeaf.hash(of: event), to: &frontier, in: transaction, databases: snapshot.databases)
                return true
            }
        }
        try write(frontier, in: transaction, databases: snapshot.databases)
    }

    /// Builds the tree of an older store the first time it is opened (in the opening transaction).
    static func buildIfMissing(in snapshot: LedgerSnapshot) throws {
        guard
            try snapshot.transaction.value(in: snapshot.databases.meta, key: MetaKey.merkleFrontier.bytes)
                == nil
        else { return }
        try rebuild(in: snapshot)
    }

    /// Compares the stored tree with the one the records make, fed the events in position order (by the walk
    /// `verifyIndexes` runs for it beside the one for the other indexes).
    struct Check {
        private let snapshot: LedgerSnapshot
        private var frontier = MerkleFrontier()
        private var nodes = 0
        /// The first stored node found missing or different.
        private(set) var problem: String?

        init(_ snapshot: LedgerSnapshot) { self.snapshot = snapshot }

        /// Adds the next event's leaf and checks every stored node it completes.
        mutating func add(_ event: RecordedEvent) throws {
            guard problem == nil else { return }
            var nodes = self.nodes
            var problem: String?
            try frontier.append(EventLeaf.hash(of: event)) { [snapshot] level, index, hash in
                guard level >= storedLevel, problem == nil else { return }
                nodes += 1
                let stored = try snapshot.transaction.value(
                    in: snapshot.databases.merkle, key: nodeKey(level: level, index: index))
                if stored != hash {
                    let first = index << level + 1
                    problem =
                        "the node over positions \(first)–\(first + (1 << level) - 1) "
                        + (stored == nil ? "is missing" : "does not match the records")
                }
            }
            self.nodes = nodes
            self.problem = problem
        }

        /// The first problem, once every event was added: a node, the edge, or nodes beyond the records.
        func finish() throws -> String? {
            if let problem { return problem }
            let stored = try snapshot.transaction.value(
                in: snapshot.databases.meta, key: MetaKey.merkleFrontier.bytes)
            if stored.flatMap(MerkleFrontier.init(encoded:)) != frontier {
                return "its edge does not match the records"
            }
            let entries = try snapshot.transaction.statistics(of: snapshot.databases.merkle).entries
            return entries == nodes ? nil : "it holds \(entries) nodes for \(nodes)"
        }
    }
}
