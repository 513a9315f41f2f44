import Testing

@testable import TraceLedger

/// The filter that spares a new event's id the `event_ids` lookup (`SettledKeyFilter`, `RecentEventIds`): it
/// must never say "no" for a key `event_ids` holds below the log, and should say "no" for nearly every other.
@Suite struct SettledKeyFilterTests {
    /// Keys spread like SHA-256 prefixes (splitmix64 of a counter).
    static func keys(_ range: Range<UInt64>) -> [UInt64] {
        range.map { index in
            var z = index &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func everyKeyAddedIsFoundAndFewOthersAreAcrossSegments() {
        // Full, the first segment says "maybe" for about 1% of the keys never added.
        var filter = SettledKeyFilter(capacity: 100_000)
        let added = Self.keys(0..<200_000)
        for key in added[..<100_000] { filter.add(key) }
        let others = Self.keys(1_000_000..<1_100_000)
        let oneSegment = others.filter { filter.mayContain($0) }.count
        #expect(oneSegment < 1_500, "\(oneSegment) of 100,000 keys never added")
        // Past its capacity it adds a segment of twice the size: every key is still found.
        for key in added[100_000...] { filter.add(key) }
        #expect(filter.count == 200_000)
        #expect(added.allSatisfy { filter.mayContain($0) })
        let twoSegments = others.filter { filter.mayContain($0) }.count
        #expect(twoSegments < 2_500, "\(twoSegments) of 100,000 keys never added")
        #expect(filter.byteCount < 300_000 * 2)
    }

    /// A store's log holds positions from `logStart`; everything below is in `event_ids`.
    final class Store {
        var keys: [UInt64]
        var logStart: UInt64 = 1
        var settledBuilds = 0

        init(events: Int) { keys = SettledKeyFilterTests.keys(0..<UInt64(events)) }

        func key(at position: UInt64) -> UInt64 { keys[Int(position - 1)] }

        func lookup(_ key: UInt64, in memory: RecentEventIds, head: UInt64) throws -> RecentEventIds.Lookup {
            try memory.lookup(
                key, from: logStart, through: head,
                read: { first, last in (first...last).map { self.key(at: $0) } },
                readSettled: {
                    self.settledBuilds += 1
                    var filter = SettledKeyFilter(capacity: 16)
                    for position in stride(from: 1, to: self.logStart, by: 1) {
                        filter.add(self.key(at: position))
                    }
                    return filter
                })
        }
    }

    @Test func settledKeysAreMaybesAndAGapInWhatWasReadRebuildsTheFilter() throws {
        let store = Store(events: 1_000)
        let memory = RecentEventIds(settleAt: 100)
        // Positions 1-200 settled, the log holds 201-300: the filter is built once, from `event_ids`.
        store.logStart = 201
        let unknown = Self.keys(5_000..<5_001)[0]
        #expect(try store.lookup(store.key(at: 50), in: memory, head: 300).mayBeSettled)
        #expect(try store.lookup(store.key(at: 250), in: memory, head: 300).positions == [250])
        #expect(try !store.lookup(unknown, in: memory, head: 300).mayBeSettled)
        #expect(store.settledBuilds == 1)
        // The log moves on contiguously: 201-300 settle while memory reads 301-400; the filter has their keys
        // from memory, not from a new build.
        store.logStart = 301
        #expect(try store.lookup(store.key(at: 250), in: memory, head: 400).mayBeSettled)
        #expect(store.settledBuilds == 1)
        // Another process appends 401-800 and settles up to 700 while this one reads nothing: memory starts
        // again at 701, and the filter, which never saw 401-700, is built again.
        store.logStart = 701
        #expect(try store.lookup(store.key(at: 500), in: memory, head: 800).mayBeSettled)
        #expect(store.settledBuilds == 2)
        for position in UInt64(1)...700 {
            #expect(try store.lookup(store.key(at: position), in: memory, head: 800).mayBeSettled)
        }
        #expect(try store.lookup(store.key(at: 750), in: memory, head: 800).positions == [750])
    }
}
