/// The event-id keys a write transaction has appended, by key: memory (`RecentEventIds`) takes only committed
/// entries, so the transaction's own lookups (a later batch of an import, a replica's next record) find its
/// earlier events here.
///
/// Not Sendable: it lives on the writer thread for the length of one transaction.
final class PendingEventIds {
    /// The head the transaction began at: every position above it is this transaction's.
    let committedHead: UInt64
    private var positions: [UInt64: [UInt64]] = [:]

    init(committedHead: UInt64) { self.committedHead = committedHead }

    func add(_ key: UInt64, at position: UInt64) { positions[key, default: []].append(position) }

    func positions(of key: UInt64) -> [UInt64] { positions[key] ?? [] }
}
