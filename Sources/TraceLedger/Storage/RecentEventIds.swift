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
/// Beside the log's entries it keeps a filter of the keys of every event below a position (`SettledKeyFilter`),
/// so that a lookup need not read `event_ids` for a key the filter never saw: the filter is built once from
/// `event_ids` in a snapshot (everything below that snapshot's log start) and grows with every log entry this
/// cache reads after it, which are the only entries a sweep moves there. A filter that a gap in what this
/// process read leaves behind is dropped and built again from `event_ids`.
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
    /// A filter of every key in `event_ids`, read from the same snapshot as the lookup's log.
    typealias SettledKeyReader = () throws -> SettledKeyFilter

    /// What memory knows of a key: its positions in the log, and whether `event_ids` may hold it below the log.
    struct Lookup {
        var positions: [UInt64]
        var mayBeSettled: Bool
    }

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
        /// The keys of every event below `filterHorizon`, or nil until built (`SettledKeyFilter`).
        var filter: SettledKeyFilter?
        var filterHorizon: UInt64 = 0
        /// Set when `event_ids` could not be read to build the filter: lookups read the tree, as without it.
        var filterUnavailable = false

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
            extendFilter()
            // What was settled a generation ago is in `event_ids` for every snapshot that still reads: let it go
            // (the filter has its keys).
            if start > low, start - low >= UInt64(settleAt) {
                for offset in 0..<Int(start - low) { remove(keys[offset], at: low + UInt64(offset)) }
                keys.removeFirst(Int(start - low))
                low = start
            }
        }

        /// Adds the keys held from the filter's horizon on, or drops the filter when what is held starts above
        /// the horizon (the positions between were settled while this process did not read the log).
        mutating func extendFilter() {
            guard filter != nil, !keys.isEmpty else { return }
            guard filterHorizon >= low else {
                filter = nil
                return
            }
            guard filterHorizon <= high else { return }
            for offset in Int(filterHorizon - low)..<keys.count { filter!.add(keys[offset]) }
            filterHorizon = high + 1
        }

        /// Whether `event_ids` may hold `key` in a snapshot whose log starts at `start`, building the filter
        /// from that snapshot when there is none.
        mutating func mayBeSettled(_ key: UInt64, logStart start: UInt64, readSettled: SettledKeyReader)
            -> Bool
        {
            if filter == nil, !filterUnavailable {
                do {
                    // `event_ids` holds every position below `start`, and what is held covers from there on.
                    filter = try readSettled()
                    filterHorizon = start
                    extendFilter()
                } catch {
                    filterUnavailable = true
                }
            }
            guard let filter, filterHorizon >= start else { return true }
            return filter.mayContain(key)
        }
    }

    private let state = Mutex(State())
    private let settleAt: Int

    init(settleAt: Int = EventIdIndex.settleAt) { self.settleAt = settleAt }

    /// The positions of `key` in the log from `start` (the log's first position in the reader's snapshot)
    /// through `last` (its committed head), in no particular order, and whether `event_ids` may hold it too.
    func lookup(
        _ key: UInt64, from start: UInt64, through last: UInt64, read: LogReader,
        readSettled: SettledKeyReader
    ) throws -> Lookup {
        try state.withLock { state in
            try state.cover(from: start, through: last, settleAt: settleAt, read: read)
            var found: [UInt64] = []
            if let position = state.first[key] {
                if position <= last { found.append(position) }
                for other in state.others[key] ?? [] where other <= last { found.append(other) }
            }
            return Lookup(
                positions: found,
                mayBeSettled: state.mayBeSettled(key, logStart: start, readSettled: readSettled))
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
