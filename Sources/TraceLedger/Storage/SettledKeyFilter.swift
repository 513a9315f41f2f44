/// A Bloom filter of event-id keys: whether `event_ids` may hold a key, so that a new event's id (nearly every
/// append's lookup) is not looked up in the B-tree. That lookup walks three or four random pages of a large
/// tree, about 2 µs of the writer's ~25 µs per event at 1M events (docs/performance.md); a probe of this filter
/// reads one cache line.
///
/// It answers "maybe" for every key added and, for a key never added, "no" with a probability of about 99%.
/// Keys are SHA-256 prefixes (`PositionIndex.key(ofEvent:)`), uniformly spread, so their bits serve as the hash.
/// The filter grows by segments, each twice the capacity of the one before, so keys are never added twice and
/// nothing is rebuilt as the store grows; a probe reads one block of each segment (about log₂ of how much the
/// store grew since the filter was built).
///
/// Not Sendable: `RecentEventIds` keeps it under its mutex.
struct SettledKeyFilter {
    /// One filter of fixed size: 512-bit blocks, a key's `probes` bits all in one block (one cache line).
    private struct Segment {
        var words: [UInt64]
        let blockCount: Int
        let capacity: Int
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            blockCount = max(1, (capacity * SettledKeyFilter.bitsPerKey + 511) / 512)
            words = [UInt64](repeating: 0, count: blockCount * 8)
        }

        /// The block's first word, and the bits' second hash (the key's bits, mixed, so that they do not
        /// repeat the ones that chose the block).
        private func place(_ key: UInt64) -> (base: Int, bits: UInt64) {
            let block = Int((UInt64(truncatingIfNeeded: key >> 32) &* UInt64(blockCount)) >> 32)
            var bits = key &* 0x9E37_79B9_7F4A_7C15
            bits ^= bits >> 29
            return (block * 8, bits)
        }

        mutating func add(_ key: UInt64) {
            let (base, bits) = place(key)
            for probe in 0..<SettledKeyFilter.probes {
                let bit = Int(truncatingIfNeeded: bits >> UInt64(9 * probe)) & 511
                words[base + (bit >> 6)] |= 1 << UInt64(bit & 63)
            }
            count += 1
        }

        func contains(_ key: UInt64) -> Bool {
            let (base, bits) = place(key)
            for probe in 0..<SettledKeyFilter.probes {
                let bit = Int(truncatingIfNeeded: bits >> UInt64(9 * probe)) & 511
                if words[base + (bit >> 6)] & (1 << UInt64(bit & 63)) == 0 { return false }
            }
            return true
        }
    }

    /// 10 bits and 6 probes per key: about 1% false positives in 512-bit blocks, 1.25 bytes per key.
    static let bitsPerKey = 10
    static let probes = 6

    private var segments: [Segment]

    /// A filter with room for `capacity` keys before it adds a segment.
    init(capacity: Int) { segments = [Segment(capacity: max(capacity, 4_096))] }

    mutating func add(_ key: UInt64) {
        if segments[segments.count - 1].count >= segments[segments.count - 1].capacity {
            segments.append(Segment(capacity: segments[segments.count - 1].capacity * 2))
        }
        segments[segments.count - 1].add(key)
    }

    /// False only when `key` was never added.
    func mayContain(_ key: UInt64) -> Bool { segments.contains { $0.contains(key) } }

    /// The keys added.
    var count: Int { segments.reduce(0) { $0 + $1.count } }

    /// Bytes of memory the bits take.
    var byteCount: Int { segments.reduce(0) { $0 + $1.words.count * 8 } }
}
