import Dispatch
import LMDBKit
import Synchronization

/// A damaged index: which one, and the first thing found wrong with it.
///
/// Sendable: plain values.
public struct IndexDamage: Sendable, Equatable {
    /// `event_ids`, `traces`, `streams`, `actors`, `orders` or `merkle`.
    public let index: String
    public let reason: String
}

extension Ledger {
    /// Checks every index against the records, which (with their hashes) are the truth: each event's id, trace,
    /// stream and actor must name its position, and no index may hold entries beyond those.
    ///
    /// Two walks over the records run at once, on two cores: one for the Merkle tree, one for the other
    /// indexes. Each compares records with what was derived from them in the same snapshot (or, for an index
    /// walked in a later one, with the records up to that snapshot's head), so events appended meanwhile are
    /// never mistaken for damage.
    ///
    /// - Returns: each damaged index with the first problem found in it; empty when all agree.
    public func verifyIndexes() throws -> [IndexDamage] {
        // One activity for both walks: a fault names what was under way, not which walk or record.
        FaultGuard.activity("checking every index and the Merkle tree against the records")
        defer { FaultGuard.activity(nil) }
        let results = Mutex<[Result<[String: String], any Error>?]>([nil, nil])
        DispatchQueue.concurrentPerform(iterations: 2) { walk in
            let result = Result { walk == 0 ? try indexDamage() : try merkleDamage() }
            results.withLock { $0[walk] = result }
        }
        var damage: [String: String] = [:]
        for result in results.withLock({ $0 }) {
            damage.merge(try result!.get()) { first, _ in first }
        }
        return damage.sorted { $0.key < $1.key }.map { IndexDamage(index: $0.key, reason: $0.value) }
    }

    /// The Merkle tree's first disagreement with the records, by name.
    private func merkleDamage() throws -> [String: String] {
        try read { snapshot in
            var check = MerkleTree.Check(snapshot)
            let head = try snapshot.head().position
            if head > 0 {
                try snapshot.forEachEvent(from: 1, through: head) { event in
                    try check.add(event)
                    return check.problem == nil
                }
            }
            return try check.finish().map { ["merkle": $0] } ?? [:]
        }
    }

    /// What the records say the indexes other than the Merkle tree hold, up to a position: a keyed digest per
    /// index (`IndexDigest`) and the orders index's entries.
    private struct ExpectedIndexes {
        let indexes = PositionIndex.allCases
        let salts: [UInt64]
        var digests: [IndexDigest]
        var orders = OrderIndex.ExpectedEntries()
        /// The last position added.
        var through: UInt64 = 0

        init() {
            salts = indexes.map { _ in IndexDigest.randomSalt() }
            digests = salts.map { IndexDigest(salt: $0) }
        }

        /// Adds the records after `through` up to the snapshot's head, decoding each once.
        mutating func extend(to snapshot: LedgerSnapshot) throws {
            let head = try snapshot.head().position
            guard head > through else { return }
            try snapshot.forEachEvent(from: through + 1, through: head) { [indexes] event in
                try OrderIndex.addExpectedEntries(of: event, to: &orders)
                event.position.bigEndianBytes.withUnsafeBytes { position in
                    for (offset, index) in indexes.enumerated() {
                        index.key(of: event.content).withUnsafeBytes {
                            digests[offset].add(key: $0, position: position)
                        }
                    }
                }
                return true
            }
            through = head
        }
    }

    /// The first disagreement of each other index (event ids, traces, streams, actors, orders), by name.
    ///
    /// Each index is walked in a snapshot of its own: LMDB refuses every later read of a transaction once one
    /// met a damaged page, and a damaged index must not hide the state of the others. The expected digests are
    /// extended with the records appended before each snapshot.
    private func indexDamage() throws -> [String: String] {
        var expected = ExpectedIndexes()
        var damage: [String: String] = [:]
        for (offset, index) in expected.indexes.enumerated() {
            let name = index.database.rawValue
            try read { snapshot in
                try expected.extend(to: snapshot)
                // A damaged page of an index is that index's damage: the records, and repair, are unaffected.
                do {
                    let found = try digest(of: index, salt: expected.salts[offset], in: snapshot)
                    guard found != expected.digests[offset] else { return }
                    damage[name] =
                        try firstMissingEntry(in: index, snapshot: snapshot)
                        ?? "it holds \(found.count) entries for \(expected.through) events"
                } catch let error as LMDBError {
                    damage[name] = "its pages are damaged and cannot be read (\(error))"
                } catch let error as LedgerError where error.kind == .corrupted {
                    // Readable pages holding what no append writes (the event-id log's entries are read whole).
                    damage[name] = error.message
                }
            }
        }
        if damage["event_ids"] == nil {
            try read { snapshot in
                do {
                    damage["event_ids"] = try sharedEventIdDamage(in: snapshot)
                } catch let error as LMDBError {
                    damage["event_ids"] = "its pages are damaged and cannot be read (\(error))"
                }
            }
        }
        try read { snapshot in
            try expected.extend(to: snapshot)
            do {
                damage["orders"] = try orderIndexDamage(expected: expected.orders.entries, in: snapshot)
            } catch let error as LMDBError {
                damage["orders"] = "its pages are damaged and cannot be read (\(error))"
            }
        }
        return damage
    }

    /// What an index holds, as a digest: for the event-id index, `event_ids` and the log's entries not in it.
    private func digest(of index: PositionIndex, salt: UInt64, in snapshot: LedgerSnapshot) throws
        -> IndexDigest
    {
        var digest = try IndexDigest.of(
            [snapshot.databases.database(of: index)], salt: salt, in: snapshot.transaction)
        guard index == .eventId else { return digest }
        for entry in try EventIdIndex.unsettledEntries(
            in: snapshot.transaction, databases: snapshot.databases)
        {
            entry.key.bigEndianBytes.withUnsafeBytes { key in
                entry.position.bigEndianBytes.withUnsafeBytes { digest.add(key: key, position: $0) }
            }
        }
        return digest
    }

    /// Two records with one event id, found among the keys of the event-id index that hold more than one
    /// position in `event_ids` and its log together (the few whose ids share a hash prefix): the appender never
    /// writes such a pair, so one record was written twice or altered. Nil when there is none.
    private func sharedEventIdDamage(in snapshot: LedgerSnapshot) throws -> String? {
        var shared: [[UInt64]] = []
        try snapshot.transaction.withCursor(on: snapshot.databases.eventIds) { cursor in
            var entry = try cursor.first()
            while entry != nil {
                if try cursor.duplicateCount() > 1 { shared.append(try cursor.positionsOfCurrentKey()) }
                entry = try cursor.nextKey()
            }
        }
        // A key of the log is shared when it holds two positions there, or one more in `event_ids`.
        let unsettled = try EventIdIndex.unsettledEntries(
            in: snapshot.transaction, databases: snapshot.databases)
        for key in Set(unsettled.map(\.key)) {
            let positions = try snapshot.positions(in: .eventId, key: key.bigEndianBytes)
            if positions.count > 1 { shared.append(positions) }
        }
        for positions in shared {
            var first: [EventID: UInt64] = [:]
            for position in positions {
                guard let id = try snapshot.eventId(at: position) else { continue }  // the digest names it
                if let earlier = first[id] {
                    return
                        "positions \(earlier) and \(position) hold the same event id \(id): one record was "
                        + "written twice or altered; restore the store from a backup"
                }
                first[id] = position
            }
        }
        return nil
    }

    /// The first record whose entry `index` lacks, looked up record by record: run only for an index whose
    /// digest differs, to name what is wrong. Nil when every entry is there (the index holds extra ones).
    private func firstMissingEntry(in kind: PositionIndex, snapshot: LedgerSnapshot) throws -> String? {
        let head = try snapshot.head().position
        guard head > 0 else { return nil }
        let database = databases.database(of: kind)
        let logStart = try EventIdIndex.logStart(in: snapshot.transaction, databases: databases) ?? head + 1
        var problem: String?
        try snapshot.forEachEvent(from: 1, through: head) { event in
            let position = event.position
            let key = kind.key(of: event.content)
            // An event-id entry may be in the log instead (`EventIdIndex`).
            let found =
                try snapshot.transaction.withCursor(on: database) { cursor in
                    try key.withUnsafeBytes { key in
                        try position.bigEndianBytes.withUnsafeBytes { value in
                            try cursor.seek(key, value: value).map {
                                $0.key.elementsEqual(key) && $0.value.elementsEqual(value)
                            } ?? false
                        }
                    }
                }
                || (kind == .eventId && position >= logStart
                    && snapshot.transaction.value(in: databases.eventIdLog, key: position.bigEndianBytes)
                        == key)
            if !found {
                problem = "position \(position) is missing under \(kind.describeKey(of: event.content))"
            }
            return problem == nil
        }
        return problem
    }

    /// The first disagreement between the `orders` index and what the records say it holds, or nil.
    /// One sequential walk of the index, taking each entry off `expected` as it matches: what is left was
    /// missing, and no sort of the expected entries is needed.
    private func orderIndexDamage(expected: [String: String], in snapshot: LedgerSnapshot) throws -> String? {
        var missing = expected
        var firstWrong: String?
        var extra = 0
        try snapshot.transaction.withCursor(on: snapshot.databases.orders) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                let id = String(decoding: current.key, as: UTF8.self)
                let trace = String(decoding: current.value, as: UTF8.self)
                switch missing.removeValue(forKey: id) {
                case trace?: break
                case let wanted?:
                    if firstWrong == nil {
                        firstWrong = "order \"\(id)\" should lead to trace \(wanted), not \(trace)"
                    }
                case nil:
                    extra += 1
                }
                entry = try cursor.next()
            }
        }
        if let firstWrong { return firstWrong }
        if let (id, trace) = missing.min(by: { $0.key < $1.key }) {
            return "order \"\(id)\" should lead to trace \(trace), not nothing"
        }
        return extra == 0
            ? nil : "it holds \(expected.count + extra) entries for \(expected.count) order references"
    }

    /// Rebuilds every index (event ids, traces, streams, actors, orders, the Merkle tree) from the records, in one write transaction:
    /// readers see the old indexes or the new ones. Returns how many events were indexed.
    @discardableResult
    public func repairIndexes() async throws -> UInt64 {
        try await write { transaction in
            let databases = transaction.databases
            let snapshot = transaction.snapshot
            for index in PositionIndex.allCases {
                try transaction.transaction.empty(databases.database(of: index))
            }
            // The event-id index is rebuilt into `event_ids` alone: its log is empty, no sweep under way.
            try transaction.transaction.empty(databases.eventIdLog)
            _ = try transaction.transaction.delete(in: databases.meta, key: MetaKey.eventIdsSettling.bytes)
            let head = try snapshot.head().position
            try MerkleTree.rebuild(in: snapshot)
            try transaction.transaction.empty(databases.orders)
            for (id, trace) in try OrderIndex.expectedEntries(in: snapshot) {
                try transaction.put(Array(trace.utf8), at: Array(id.utf8), in: databases.orders)
            }
            try snapshot.forEachEvent(from: 1, through: head) { event in
                let positionKey = event.position.bigEndianBytes
                // The event-id index is rebuilt into `event_ids` alone (`EventIdIndex`).
                for index in PositionIndex.allCases {
                    try transaction.put(
                        positionKey, at: index.key(of: event.content), in: databases.database(of: index),
                        flags: .appendDuplicate)
                }
                return true
            }
            return head
        }
    }
}
