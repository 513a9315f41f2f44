import Synchronization

/// The unsettled part of the event-id index in memory: the entries of `event_id_log` (position → key) that
/// this process has read, by key, so a lookup of a recent id is a dictionary probe instead of a B-tree.
///
/// It is a cache of facts, never the truth: every entry comes from a committed log (an entry at a position
/// never changes once committed), and it holds every entry of one interval of positions, `[low, high]`. A
/// lookup in a snapshot whose log starts at `L` (everything below is settled into `event_ids`) and whose
/// committed head is `H` first makes the interval cover `[L, H]`, reading what is missing from that snapshot's
/// log, and then takes only positions at or below `H`: a newer snapshot may have put later ones here. Several
/// processes may write one store, so nothing here is written except what a log said.
///
/// Sendable: the state is guarded by a mutex, held for the whole of a lookup (its reads of the log included).
final class RecentEventIds: Sendable {
    /// One entry of the log: an event-id key (the 8 bytes of `PositionIndex.eventId` as a big-endian number,
    /// so numbers sort as LMDB sorts the keys) and the position of its event.
    struct Entry: Comparable {
        let key: UInt64
        let position: UInt64

        static func < (left: Entry, right: Entry) -> Bool {
            (left.key, left.position) < (right.key, right.position)
        }
    }

    /// Reads the log's keys for positions `first...last` from a snapshot, in position order.
    typealias LogReader = (_ first: UInt64, _ last: UInt64) throws -> [UInt64]

    private struct State {
        /// The position of `keys[0]`.
        var low: UInt64 = 1
        /// The log's key at each position from `low`, in order.
        var keys: [UInt64] = []
        /// Each key's positions: one nearly always (ids that share a key are rare), the rest in `others`.
        var first: [UInt64: UInt64] = [:]
        var others: [UInt64: [UInt64]] = [:]
        /// The last generation sorted for a sweep (`EventIdIndex`): its first and last position, its entries.
        var generation: (first: UInt64, last: UInt64, entries: [Entry])?

        var high: UInt64 { low + UInt64(keys.count) - 1 }

        mutating func reset(at start: UInt64) {
            low = start
            keys.removeAll(keepingCapacity: true)
            first.removeAll(keepingCapacity: true)
            others.removeAll()
        }

        mutating func insert(_ key: UInt64, at position: UInt64) {
            if first[key] == nil { first[key] = position } else { others[key, default: []].append(position) }
        }

        mutating func remove(_ key: UInt64, at position: UInt64) {
            if first[key] == position {
                if var more = others[key], !more.isEmpty {
                    first[key] = more.removeLast()
                    others[key] = more.isEmpty ? nil : more
                } else {
                    first[key] = nil
                }
            } else if var more = others[key] {
                more.removeAll { $0 == position }
                others[key] = more.isEmpty ? nil : more
            }
        }

        /// Makes the interval cover `start...through` (`through` may be `start - 1`: nothing to cover).
        mutating func cover(from start: UInt64, through last: UInt64, settleAt: Int, read: LogReader) throws {
            // A gap above what is held (it was settled meanwhile), or an old snapshot whose head is below it:
            // the interval cannot grow to cover the range, so it starts again.
            if keys.isEmpty || start > high + 1 || (start < low && last + 1 < low) { reset(at: start) }
            if start < low {
                let earlier = try read(start, low - 1)
                for (offset, key) in earlier.enumerated() { insert(key, at: start + UInt64(offset)) }
                keys.insert(contentsOf: earlier, at: 0)
                low = start
            }
            if last > high {
                let from = high + 1
                for (offset, key) in try read(from, last).enumerated() {
                    insert(key, at: from + UInt64(offset))
                    keys.append(key)
                }
            }
            // What was settled a generation ago is in `event_ids` for every snapshot that still reads: let it go.
            if start > low, start - low >= UInt64(settleAt) {
                for offset in 0..<Int(start - low) { remove(keys[offset], at: low + UInt64(offset)) }
                keys.removeFirst(Int(start - low))
                low = start
            }
        }
    }

    private let state = Mutex(State())
    private let settleAt: Int

    init(settleAt: Int = EventIdIndex.settleAt) { self.settleAt = settleAt }

    /// The positions of `key` in the log from `start` (the log's first position in the reader's snapshot)
    /// through `last` (its committed head), in no particular order.
    func positions(of key: UInt64, from start: UInt64, through last: UInt64, read: LogReader) throws
        -> [UInt64]
    {
        try state.withLock { state in
            try state.cover(from: start, through: last, settleAt: settleAt, read: read)
            guard let position = state.first[key] else { return [] }
            var found = position <= last ? [position] : []
            for other in state.others[key] ?? [] where other <= last { found.append(other) }
            return found
        }
    }

    /// The log's entries from `start` through `last`, sorted by key and then position: the generation a sweep
    /// moves into `event_ids` in that order. Sorted once per generation; the log's entries there are committed.
    func generation(from start: UInt64, through last: UInt64, read: LogReader) throws -> [Entry] {
        try state.withLock { state in
            if let generation = state.generation, generation.first == start, generation.last == last {
                return generation.entries
            }
            try state.cover(from: start, through: last, settleAt: settleAt, read: read)
            var entries: [Entry] = []
            entries.reserveCapacity(Int(last - start + 1))
            let offset = Int(start - state.low)
            for (index, key) in state.keys[offset...offset + Int(last - start)].enumerated() {
                entries.append(Entry(key: key, position: start + UInt64(index)))
            }
            entries.sort()
            state.generation = (start, last, entries)
            return entries
        }
    }
}
