import Foundation
import LMDBKit

/// The event-id index in two levels, so that a commit does not rewrite a random leaf of a large tree for
/// every event it appends.
///
/// Event ids are random, so their keys are too (`PositionIndex.eventId`). In one tree, a commit of 1,000 events
/// at 1M events rewrote about 960 of its ~10,000 leaves, copy-on-write, and fsynced them: more than half of
/// what a commit wrote (docs/performance.md, "The event-id index in two levels"). New entries now go to
/// `event_ids_recent`, which stays small (at most `settleAt` entries, a few hundred leaves), and when it is
/// full the appender's transaction moves every entry of it into `event_ids` in key order, so each leaf of the
/// large tree is rewritten once per `settleAt` events instead of about once per commit.
///
/// A lookup reads both levels; an entry is in exactly one of them, and both change only in write
/// transactions, so every snapshot sees each entry once. `verify` digests the two together and
/// `repair-indexes` rebuilds the index into `event_ids` alone.
enum EventIdIndex {
    /// How many entries `event_ids_recent` holds before they are settled: 65,536, or
    /// `TRACELEDGER_EVENT_IDS_SETTLE_AT` (tests settle every few hundred events with it).
    static let settleAt: Int = {
        guard let text = ProcessInfo.processInfo.environment["TRACELEDGER_EVENT_IDS_SETTLE_AT"],
            let value = Int(text), value >= 1
        else { return 65_536 }
        return value
    }()

    /// Moves every entry of `event_ids_recent` into `event_ids` when it holds `settleAt` or more.
    ///
    /// - Returns: how many entries were moved (0 when the recent level was not full).
    @discardableResult
    static func settleIfFull(in transaction: Transaction, databases: LedgerDatabases) throws -> Int {
        let recent = databases.eventIdsRecent
        let entries = try transaction.statistics(of: recent).entries
        guard entries >= settleAt else { return 0 }
        // In key order: consecutive puts land in the same leaf of the settled tree until it moves on.
        try transaction.withCursor(on: recent) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                try transaction.put(in: databases.eventIds, key: current.key, value: current.value)
                entry = try cursor.next()
            }
        }
        try transaction.empty(recent)
        return entries
    }
}
