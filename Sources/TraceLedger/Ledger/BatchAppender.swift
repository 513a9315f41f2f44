import LMDBKit
import ZstdKit

/// Appends batches inside one write transaction: checks a whole batch first (idempotency, expected versions)
/// and writes it only when every event passes, so a rejected batch leaves no trace in the transaction.
///
/// Not Sendable: it lives on the writer thread for the length of one transaction.
final class BatchAppender {
    /// Unowned: the write transaction owns its appender.
    private unowned let writeTransaction: LedgerWriteTransaction
    private let snapshot: LedgerSnapshot
    private let transaction: Transaction
    private let databases: LedgerDatabases
    private let dictionary: ZstdDictionary?
    private(set) var head: ChainHead
    /// The Merkle tree's right edge, moved with every event written.
    private var frontier: MerkleFrontier
    /// The stream this store mirrors, read once per transaction: a replica takes no ordinary appends.
    private let replicaOrigin: String?
    /// The Merkle leaf hash of the last record written.
    private var lastLeafHash: RFC6962.Hash = []
    /// Buffers each event's canonical body, record and Merkle leaf are written into, kept from event to event.
    private var body: [UInt8] = []
    private var record: [UInt8] = []
    private var leaf: [UInt8] = []
    /// Order references this transaction looked up or wrote, with their traces (`OrderIndex`).
    private var knownOrders = OrderIndex.Known()
    /// Events this transaction wrote, and event-id entries it moved to the settled tree (`EventIdIndex`).
    private var written = 0
    private var settled = 0
    /// The event ids this transaction wrote, which its snapshot's lookups read beside memory's.
    private let pendingEventIds: PendingEventIds
    /// Makes the records of a large batch on a second thread (`RecordCompressionLane`), the writer's.
    private let recordLane: RecordCompressionLane
    /// Whether the batch being written hands its records to `recordLane` instead of making them here.
    private var recordsOnLane = false
    /// New events in a batch from which its records are made on the lane: below it, handing over costs more
    /// than it saves (the lane's queue wakes per chunk).
    static let eventsForRecordLane = 256
    /// Records the lane holds at most before the appender writes them, so a large batch's memory stays bounded.
    static let recordsOnLaneAtMost = 4_096

    init(in writeTransaction: LedgerWriteTransaction) throws {
        self.writeTransaction = writeTransaction
        snapshot = writeTransaction.snapshot
        transaction = writeTransaction.transaction
        databases = writeTransaction.databases
        dictionary = try snapshot.dictionaries.current(in: snapshot)
        head = try snapshot.head()
        frontier = try MerkleTree.frontier(in: snapshot)
        replicaOrigin = try Replica.origin(in: snapshot)
        pendingEventIds = PendingEventIds(committedHead: head.position)
        snapshot.pendingEventIds = pendingEventIds
        recordLane = writeTransaction.recordLane
    }

    /// What the check phase decided for one event.
    private enum Plan {
        /// `eventIdKey`: the id's `event_ids` key, hashed once for the lookup and the write.
        case new(streamVersion: UInt64, eventIdKey: [UInt8])
        case duplicate(AppendOutcome)
        case sameAsEarlier(index: Int)
    }

    /// Appends `batch` atomically within the transaction.
    ///
    /// - Throws: `LedgerError` `.conflict` (with `batchIndex`) when an event id exists with other content or a
    ///   stream is not at the expected version; nothing of the batch is written then.
    func append(_ batch: [ProposedEvent]) throws -> [AppendOutcome] {
        if let origin = replicaOrigin {
            throw LedgerError(
                .conflict,
                "this store is a replica of \(origin): it takes events only from there; append to the primary, "
                    + "or make this store one with `traceledger promote`", rule: "replica")
        }
        let plans = try plan(batch)
        let headBefore = head.position
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        let now = Timestamp.now()
        recordsOnLane =
            plans.count {
                if case .new = $0 { true } else { false }
            } >= Self.eventsForRecordLane
        defer { recordsOnLane = false }
        do {
            try writeEvents(of: batch, plans: plans, now: now, into: &outcomes)
            try writeRecordsFromLane()
        } catch {
            recordLane.discard()
            throw error
        }
        try storeHead(ifMovedFrom: headBefore)
        return outcomes
    }

    /// The write phase of `append`: every event the plan found new is written, each duplicate answered.
    private func writeEvents(
        of batch: [ProposedEvent], plans: [Plan], now: Timestamp, into outcomes: inout [AppendOutcome]
    ) throws {
        // By index, not by element: the events are read where they lie in the batch, not copied (a copy retains
        // each of an event's strings, and releases them again).
        for index in batch.indices {
            switch plans[index] {
            case .duplicate(let outcome):
                outcomes.append(outcome)
            case .sameAsEarlier(let earlier):
                let original = outcomes[earlier]
                outcomes.append(
                    AppendOutcome(
                        eventId: original.eventId, position: original.position,
                        streamVersion: original.streamVersion,
                        isDuplicate: true, hash: original.hash))
            case .new(let streamVersion, let eventIdKey):
                if batch[index].content.traceId.isEmpty {
                    // Its order's trace may be that of a stream's first event, in this batch: written first.
                    try writeRecordsFromLane()
                    var content = batch[index].content
                    content.traceId = try OrderIndex.resolveTrace(
                        for: content, references: batch[index].orderReferences, known: &knownOrders,
                        in: snapshot)
                    outcomes.append(
                        try writeNew(
                            content, eventIdKey: eventIdKey, references: batch[index].orderReferences,
                            streamVersion: streamVersion, now: now))
                } else {
                    outcomes.append(
                        try writeNew(
                            batch[index].content, eventIdKey: eventIdKey,
                            references: batch[index].orderReferences, streamVersion: streamVersion, now: now))
                }
            }
        }
    }

    /// Writes the records the lane made, at the positions before and up to the head.
    private func writeRecordsFromLane() throws {
        guard recordLane.pending > 0 else { return }
        let first = head.position - UInt64(recordLane.pending) + 1
        try recordLane.finish { index, record in
            try (first + UInt64(index)).bigEndianBytes.withUnsafeBytes { key in
                try transaction.put(in: databases.events, key: key, value: record, flags: .append)
            }
        }
    }

    /// Writes a new event (its trace resolved) and records its order references.
    private func writeNew(
        _ content: EventContent, eventIdKey: [UInt8], references: OrderReferences, streamVersion: UInt64,
        now: Timestamp
    ) throws -> AppendOutcome {
        let recordedAt = Timestamp(
            nanosecondsSinceEpoch: max(now.nanosecondsSinceEpoch, head.recordedAt.nanosecondsSinceEpoch + 1))
        let outcome = try write(
            content, eventIdKey: eventIdKey, streamVersion: streamVersion, recordedAt: recordedAt)
        try OrderIndex.register(
            references, trace: content.traceId, of: content, known: &knownOrders, in: writeTransaction)
        return outcome
    }

    /// The stored head moves with every batch written, so later reads in the transaction see it; the event-id
    /// index's sweep moves, per transaction, a slice of its generation more than the transaction appended
    /// (`EventIdIndex`).
    private func storeHead(ifMovedFrom before: UInt64) throws {
        guard head.position != before else { return }
        try head.write(in: transaction, databases: databases)
        try MerkleTree.write(frontier, in: transaction, databases: databases)
        written += Int(head.position - before)
        let allowance = written + EventIdIndex.slice - settled
        if allowance > 0 {
            settled += try EventIdIndex.settle(
                in: transaction, databases: databases, memory: snapshot.recentEventIds,
                committedHead: pendingEventIds.committedHead, limit: allowance)
        }
    }

    /// Writes records as a primary committed them (a replica's apply): each must be the next position, later
    /// than the head, its stream's next version and an id new to the log, and the chain hash computed here
    /// must be the primary's. A record at or below the head is accepted only when it is the one stored there
    /// (a message delivered again after a crash before its acknowledgement).
    ///
    /// - Throws: `LedgerError` `.conflict` for a gap, another record at a position or an out-of-order stream
    ///   version, `.corrupted` when the hash differs: nothing of the batch is written then.
    func applyReplicated(_ records: [ReplicatedRecord]) throws -> [ReplicaOutcome] {
        let headBefore = head.position
        var outcomes: [ReplicaOutcome] = []
        for record in records {
            if record.position <= head.position {
                guard let stored = try snapshot.event(at: record.position), stored.hash == record.hash else {
                    throw LedgerError(
                        .conflict,
                        "position \(record.position) is already in this replica with another hash than the "
                            + "primary's \(record.hash): the stream holds another log's events")
                }
                outcomes.append(.alreadyApplied(record.position))
                continue
            }
            guard record.position == head.position + 1 else {
                throw LedgerError(
                    .conflict,
                    "gap: this replica's head is position \(head.position), the next message is position "
                        + "\(record.position): positions \(head.position + 1)…\(record.position - 1) are missing from "
                        + "the stream", rule: "gap")
            }
            guard record.recordedAt > head.recordedAt else {
                throw LedgerError(
                    .corrupted,
                    "position \(record.position) was recorded at \(record.recordedAt.rfc3339), not after the one "
                        + "before it (\(head.recordedAt.rfc3339))")
            }
            let content = record.event.content
            let version = try snapshot.streamVersion(of: content.streamKey) + 1
            let eventIdKey = PositionIndex.key(ofEvent: content.eventId)
            guard record.streamVersion == version,
                try snapshot.position(ofEvent: content.eventId, key: eventIdKey) == nil
            else {
                throw LedgerError(
                    .conflict,
                    "position \(record.position) is version \(record.streamVersion) of \(content.streamKey), but "
                        + "this replica holds it at version \(version - 1), or already holds event \(content.eventId)"
                )
            }
            let written = try write(
                content, eventIdKey: eventIdKey, streamVersion: version, recordedAt: record.recordedAt)
            guard written.hash == record.hash else {
                throw LedgerError(
                    .corrupted,
                    "position \(record.position): the primary's hash is \(record.hash), the record it sent hashes "
                        + "to \(written.hash): the message was altered, or the primary's chain is broken")
            }
            if let leaf = record.leafHash, leaf != lastLeafHash {
                throw LedgerError(
                    .corrupted,
                    "position \(record.position): the primary's Merkle leaf differs from the one its record makes: "
                        + "the message was altered")
            }
            try OrderIndex.register(
                record.event.orderReferences, trace: content.traceId, of: content, known: &knownOrders,
                in: writeTransaction)
            if content.type == CustomerErasure.eventType,
                let applied = try snapshot.event(at: record.position)
            {
                try CustomerErasure.applyOnReplica(applied, in: writeTransaction)
            }
            outcomes.append(.applied(record.position))
        }
        try storeHead(ifMovedFrom: headBefore)
        return outcomes
    }

    private func plan(_ batch: [ProposedEvent]) throws -> [Plan] {
        var plans: [Plan] = []
        plans.reserveCapacity(batch.count)
        var firstIndexOfId: [EventID: Int] = [:]
        var streamVersions: [StreamKey: UInt64] = [:]
        // Sized for the batch at once, not grown by rehashing as it fills.
        firstIndexOfId.reserveCapacity(batch.count)
        streamVersions.reserveCapacity(batch.count)
        for index in batch.indices {
            let eventId = batch[index].content.eventId
            if let earlier = firstIndexOfId[eventId] {
                guard batch[earlier].content == batch[index].content else {
                    throw LedgerError(
                        .conflict,
                        "event id \(eventId) appears twice in the batch with different content; "
                            + "give each distinct event its own id", batchIndex: index, field: "eventId",
                        rule: "idempotency")
                }
                plans.append(.sameAsEarlier(index: earlier))
                continue
            }
            let eventIdKey = PositionIndex.key(ofEvent: eventId)
            if let existing = try existingOutcome(of: batch, at: index, eventIdKey: eventIdKey) {
                plans.append(.duplicate(existing))
                continue
            }
            let key = batch[index].content.streamKey
            let current: UInt64
            if let pending = streamVersions[key] {
                current = pending
            } else {
                current = try snapshot.streamVersion(of: key)
            }
            if let expected = batch[index].expectedVersion, expected != current {
                throw LedgerError(
                    .conflict,
                    "\(key) is at version \(current), not the expected \(expected); read its history "
                        + "and retry with the current version", batchIndex: index, field: "expectedVersion",
                    rule: "expectedVersion")
            }
            streamVersions[key] = current + 1
            firstIndexOfId[eventId] = index
            plans.append(.new(streamVersion: current + 1, eventIdKey: eventIdKey))
        }
        return plans
    }

    /// The original outcome when the id of the event at `index` is already in the ledger with identical
    /// content. The batch and index are passed, not the event's content: passing `batch[index].content` made a
    /// copy of it (a retain and a release of each of its strings) for every event checked, most of them new.
    private func existingOutcome(of batch: [ProposedEvent], at index: Int, eventIdKey: [UInt8]) throws
        -> AppendOutcome?
    {
        let eventId = batch[index].content.eventId
        guard let position = try snapshot.position(ofEvent: eventId, key: eventIdKey) else { return nil }
        guard let stored = try snapshot.event(at: position) else {
            throw LedgerError(
                .corrupted, "event id \(eventId) points at position \(position), which is missing")
        }
        // An event sent without a trace was given its order's at its first append; the same event again
        // carries none.
        var sent = batch[index].content
        if sent.traceId.isEmpty { sent.traceId = stored.traceId }
        guard stored.content == sent else {
            throw LedgerError(
                .conflict,
                "event id \(eventId) already exists at position \(position) with different "
                    + "content; an event id names one event for ever: use a new id for a new event",
                batchIndex: index, field: "eventId", rule: "idempotency")
        }
        return AppendOutcome(
            eventId: eventId, position: position, streamVersion: stored.streamVersion, isDuplicate: true,
            hash: stored.hash)
    }

    private func write(
        _ content: EventContent, eventIdKey: [UInt8], streamVersion: UInt64, recordedAt: Timestamp
    ) throws -> AppendOutcome {
        let position = head.position + 1
        CanonicalBody.encode(content, streamVersion: streamVersion, into: &body)
        let hash = ChainHasher.hash(
            previous: head.hash, position: position, recordedAt: recordedAt, body: body)
        let positionKey = position.bigEndianBytes
        if recordsOnLane {
            recordLane.add(body: body, recordedAt: recordedAt, hash: hash, dictionary: dictionary)
        } else {
            try snapshot.codec.encode(
                body: body, recordedAt: recordedAt, hash: hash, dictionary: dictionary, into: &record)
            try transaction.put(in: databases.events, key: positionKey, value: record, flags: .append)
        }
        for (index, database) in databases.keyedIndexes {
            try transaction.put(
                in: database, key: index.key(of: content), value: positionKey, flags: .appendDuplicate)
        }
        try EventIdIndex.add(key: eventIdKey, position: positionKey, in: transaction, databases: databases)
        pendingEventIds.add(EventIdIndex.number(ofKey: eventIdKey), at: position)
        EventLeaf.write(
            content: content, position: position, recordedAt: recordedAt, streamVersion: streamVersion,
            payloadDigestHex: nil, into: &leaf)
        lastLeafHash = RFC6962.leafHash(leaf)
        try MerkleTree.append(lastLeafHash, to: &frontier, in: transaction, databases: databases)
        head = ChainHead(position: position, hash: hash, recordedAt: recordedAt)
        if recordLane.pending >= Self.recordsOnLaneAtMost { try writeRecordsFromLane() }
        return AppendOutcome(
            eventId: content.eventId, position: position, streamVersion: streamVersion, isDuplicate: false,
            hash: hash)
    }
}
