import Foundation
import LMDBKit

/// The event-id index in two levels, so that a commit does not rewrite a random leaf of a large tree for
/// every event it appends.
///
/// Event ids are random, so their keys are too (`PositionIndex.eventId`). In one tree, a commit of 1,000 events
/// at 1M events rewrote about 960 of its ~10,000 leaves, copy-on-write, and fsynced them: more than half of
/// what a commit wrote (docs/performance.md, "The event-id index in two levels"). New entries now go to
/// `event_ids_recent`, which stays small (a few hundred leaves), and once it holds `settleAt` entries they are
/// settled into `event_ids` in key order, so each leaf of the large tree is rewritten about once per `settleAt`
/// events instead of about once per commit.
///
/// The settle is a sweep over the recent level in key order, from where the last one stopped
/// (`MetaKey.eventIdsSettling`) to the level's end: in each write transaction that appends, as many entries as it
/// appended and `slice` more, so the sweep outruns the appends. A transaction therefore rewrites, besides what its
/// own events touch, only the leaves of the large tree under the keys it moves (about a sixteenth of them per
/// slice), not the whole tree in one commit: neither the memory of a commit (LMDB's dirty pages) nor its length
/// jumps when the level is full. Entries appended behind the sweep wait for the next one.
///
/// A lookup reads both levels; an entry is in exactly one of them, and both change only in write
/// transactions, so every snapshot sees each entry once. `verify` digests the two levels together and
/// `repair-indexes` rebuilds the index into `event_ids` alone.
enum EventIdIndex {
    /// How many entries `event_ids_recent` holds when a sweep begins: 65,536, or
    /// `TRACELEDGER_EVENT_IDS_SETTLE_AT` (tests settle every few hundred events with it).
    static let settleAt: Int = {
        guard let text = ProcessInfo.processInfo.environment["TRACELEDGER_EVENT_IDS_SETTLE_AT"],
            let value = Int(text), value >= 1
        else { return 65_536 }
        return value
    }()

    /// Entries a sweep moves in one transaction.
    static var slice: Int { max(1, settleAt / 16) }

    /// Moves up to `limit` entries of `event_ids_recent`, from where the sweep stopped, into `event_ids` when a
    /// sweep is under way, or begins one when the recent level holds `settleAt` entries.
    ///
    /// - Returns: how many entries were moved.
    @discardableResult
    static func settle(in transaction: Transaction, databases: LedgerDatabases, limit: Int = slice) throws
        -> Int
    {
        let recent = databases.eventIdsRecent
        let marker = MetaKey.eventIdsSettling.bytes
        let from: [UInt8]
        if let resume = try transaction.value(in: databases.meta, key: marker) {
            from = resume
        } else {
            guard try transaction.statistics(of: recent).entries >= settleAt else { return 0 }
            from = []
        }
        let (moved, next) = try transaction.moveEntries(
            from: recent, to: databases.eventIds, startingAt: from, limit: limit)
        if let next {
            try transaction.put(in: databases.meta, key: marker, value: next)
        } else {
            _ = try transaction.delete(in: databases.meta, key: marker)
        }
        return moved
    }
}
