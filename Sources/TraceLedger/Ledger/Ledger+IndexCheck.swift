import LMDBKit

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
        return try read { snapshot in
            let transaction = snapshot.transaction
            let head = try snapshot.head().position
            var damage: [String: String] = [:]
            try transaction.withCursor(on: databases.events) { events in
                var entry = try events.first()
                while let current = entry {
                    let position = try LedgerSnapshot.position(ofKey: current.key)
                    FaultGuard.progress(position)
                    let event = try snapshot.decode(current.value, position: position)
                    if damage["event_ids"] == nil, try snapshot.position(ofEvent: event.eventId) != position {
                        damage["event_ids"] =
                            "event \(event.eventId) at position \(position) is missing or misplaced"
                    }
                    for (index, database) in databases.positionIndexes
                    where damage[index.database.rawValue] == nil {
                        let key = index.key(of: event.content)
                        let found = try transaction.withCursor(on: database) { cursor in
                            try key.withUnsafeBytes { key in
                                try position.bigEndianBytes.withUnsafeBytes { value in
                                    try cursor.seek(key, value: value).map {
                                        $0.key.elementsEqual(key) && $0.value.elementsEqual(value)
                                    } ?? false
                                }
                            }
                        }
                        if !found {
                            damage[index.database.rawValue] =
                                "position \(position) is missing under \"\(String(decoding: key, as: UTF8.self))\""
                        }
                    }
                    entry = try events.next()
                }
            }
            // Every record is indexed; no index may hold more entries than there are records.
            FaultGuard.activity("counting the entries of each index")
            let counted =
                [("event_ids", databases.eventIds)]
                + databases.positionIndexes.map {
                    ($0.index.database.rawValue, $0.database)
                }
            for (name, database) in counted where damage[name] == nil {
                let entries = try transaction.statistics(of: database).entries
                if entries != Int(head) {
                    damage[name] = "it holds \(entries) entries for \(head) events"
                }
            }
            FaultGuard.activity("checking the orders index")
            damage["orders"] = try orderIndexDamage(in: snapshot)
            FaultGuard.activity("checking the Merkle tree")
            damage["merkle"] = try MerkleTree.damage(in: snapshot)
            return damage.sorted { $0.key < $1.key }.map { IndexDamage(index: $0.key, reason: $0.value) }
        }
    }

    /// The first disagreement between the `orders` index and what the records say it holds, or nil.
    private func orderIndexDamage(in snapshot: LedgerSnapshot) throws -> String? {
        let expected = try OrderIndex.expectedEntries(in: snapshot)
        for (id, trace) in expected.sorted(by: { $0.key < $1.key }) {
            let found = try snapshot.trace(ofOrder: id)
            if found != trace {
                return "order \"\(id)\" should lead to trace \(trace), not \(found ?? "nothing")"
            }
        }
        let entries = try snapshot.transaction.statistics(of: snapshot.databases.orders).entries
        return entries == expected.count
            ? nil : "it holds \(entries) entries for \(expected.count) order references"
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
