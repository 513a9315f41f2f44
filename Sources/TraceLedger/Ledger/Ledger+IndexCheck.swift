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
    /// stream and actor must name its position, and no index may hold entries beyond those. One snapshot.
    ///
    /// - Returns: each damaged index with the first problem found in it; empty when all agree.
    public func verifyIndexes() throws -> [IndexDamage] {
        FaultGuard.activity("checking each record's index entries")
        defer { FaultGuard.activity(nil) }
        // The Merkle tree is checked in a walk of its own, on another core: each walk compares the records
        // with what was derived from them in its own snapshot, so the two need not share one.
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

    /// The first disagreement of each other index (event ids, traces, streams, actors, orders), by name.
    private func indexDamage() throws -> [String: String] {
        try read { snapshot in
            let transaction = snapshot.transaction
            let head = try snapshot.head().position
            var damage: [String: String] = [:]
            // One walk over the records feeds these checks, decoding each record once. What the records say each
            // index holds goes into a digest per index, compared below with a walk of the index in key order.
            var expectedOrders = OrderIndex.ExpectedEntries()
            let indexes: [(name: String, database: Database, sorted: Bool)] =
                [("event_ids", databases.eventIds, false)]
                + databases.positionIndexes.map { ($0.index.database.rawValue, $0.database, true) }
            let salts = indexes.map { _ in IndexDigest.randomSalt() }
            var expected = salts.map { IndexDigest(salt: $0) }
            try transaction.withCursor(on: databases.events) { events in
                var entry = try events.first()
                while let current = entry {
                    let position = try LedgerSnapshot.position(ofKey: current.key)
                    FaultGuard.progress(position)
                    let event = try snapshot.decode(current.value, position: position)
                    try OrderIndex.addExpectedEntries(of: event, to: &expectedOrders)
                    position.bigEndianBytes.withUnsafeBytes { position in
                        event.eventId.bytes.withUnsafeBytes { expected[0].add(key: $0, position: position) }
                        for (offset, index) in databases.positionIndexes.enumerated() {
                            index.index.key(of: event.content).withUnsafeBytes {
                                expected[offset + 1].add(key: $0, position: position)
                            }
                        }
                    }
                    entry = try events.next()
                }
            }
            FaultGuard.activity("walking each index")
            for (offset, index) in indexes.enumerated() {
                // A damaged page of an index is that index's damage: the records, and repair, are unaffected.
                do {
                    let found = try IndexDigest.of(
                        index.database, sorted: index.sorted, salt: salts[offset], in: transaction)
                    guard found != expected[offset] else { continue }
                    damage[index.name] =
                        try firstMissingEntry(in: index.name, snapshot: snapshot)
                        ?? "it holds \(found.count) entries for \(head) events"
                } catch let error as LMDBError {
                    damage[index.name] = "its pages cannot be read (\(error))"
                }
            }
            FaultGuard.activity("checking the orders index")
            damage["orders"] = try orderIndexDamage(expected: expectedOrders.entries, in: snapshot)
            return damage
        }
    }

    /// The first record whose entry `index` lacks, looked up record by record: run only for an index whose
    /// digest differs, to name what is wrong. Nil when every entry is there (the index holds extra ones).
    private func firstMissingEntry(in index: String, snapshot: LedgerSnapshot) throws -> String? {
        let head = try snapshot.head().position
        guard head > 0 else { return nil }
        let positional = databases.positionIndexes.first { $0.index.database.rawValue == index }
        var problem: String?
        try snapshot.forEachEvent(from: 1, through: head) { event in
            let position = event.position
            guard let (kind, database) = positional else {
                if try snapshot.position(ofEvent: event.eventId) != position {
                    problem = "event \(event.eventId) at position \(position) is missing or misplaced"
                }
                return problem == nil
            }
            let key = kind.key(of: event.content)
            let found = try snapshot.transaction.withCursor(on: database) { cursor in
                try key.withUnsafeBytes { key in
                    try position.bigEndianBytes.withUnsafeBytes { value in
                        try cursor.seek(key, value: value).map {
                            $0.key.elementsEqual(key) && $0.value.elementsEqual(value)
                        } ?? false
                    }
                }
            }
            if !found {
                problem = "position \(position) is missing under \"\(String(decoding: key, as: UTF8.self))\""
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
            try transaction.transaction.empty(databases.eventIds)
            for (_, database) in databases.positionIndexes { try transaction.transaction.empty(database) }
            let head = try snapshot.head().position
            try MerkleTree.rebuild(in: snapshot)
            try transaction.transaction.empty(databases.orders)
            for (id, trace) in try OrderIndex.expectedEntries(in: snapshot) {
                try transaction.put(Array(trace.utf8), at: Array(id.utf8), in: databases.orders)
            }
            try snapshot.forEachEvent(from: 1, through: head) { event in
                let positionKey = event.position.bigEndianBytes
                try transaction.put(
                    positionKey, at: event.eventId.bytes, in: databases.eventIds, flags: .noOverwrite)
                for (index, database) in databases.positionIndexes {
                    try transaction.put(
                        positionKey, at: index.key(of: event.content), in: database, flags: .appendDuplicate)
                }
                return true
            }
            return head
        }
    }
}
