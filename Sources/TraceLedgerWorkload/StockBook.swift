/// The generator's own view of stock per SKU × warehouse, used to decide when the warehouse must
/// receive goods, what a cycle count finds, and which stocks are deliberately oversold.
///
/// The book is updated when a flow is *planned*, which is ahead of when its events are emitted,
/// so it is kept pessimistic: released reservations are not credited back until a count finds
/// the stock idle. Decisions taken on it therefore never push the emitted stock below zero,
/// except for the planted oversold stocks. Memory: one entry per SKU × warehouse touched.
struct StockBook {
    /// One SKU × warehouse.
    struct Entry {
        var onHand = 0
        var reserved = 0
        /// Released reservations not yet credited to `available` (see the type's note).
        var releasedHoldback = 0
        /// The latest occurredAt of any planned event touching this stock.
        var lastActivityMilliseconds: Int64 = .min
        var isOversold = false

        /// What may still be promised, pessimistically.
        var available: Int { onHand - reserved - releasedHoldback }
    }

    /// Units kept free before ordering more.
    static let safetyMargin = 8

    private(set) var entries: [String: Entry] = [:]
    /// Stock keys in the order first touched, for picking one to count.
    private(set) var keys: [String] = []
    private(set) var oversoldKeys: [String] = []

    /// The entry for `key` (`SKU-00042@WH-BER`), empty if never touched.
    func entry(_ key: String) -> Entry {
        entries[key] ?? Entry()
    }

    /// Applies `change` to the entry for `key` and records activity at `milliseconds`.
    mutating func update(_ key: String, at milliseconds: Int64, _ change: (inout Entry) -> Void) {
        if entries[key] == nil { keys.append(key) }
        var entry = entries[key] ?? Entry()
        change(&entry)
        entry.lastActivityMilliseconds = max(entry.lastActivityMilliseconds, milliseconds)
        entries[key] = entry
    }

    /// Marks `key` as one of the planted oversold stocks: never replenished again.
    mutating func markOversold(_ key: String) {
        update(key, at: .min) { $0.isOversold = true }
        oversoldKeys.append(key)
    }
}
