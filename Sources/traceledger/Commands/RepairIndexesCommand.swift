import ArgumentParser
import TraceLedger

struct RepairIndexesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair-indexes",
        abstract: "Rebuild the event-id, trace, stream and actor indexes from the records.",
        discussion: """
            The records and their hash chain are the truth; the indexes are derived from them. Run it when \
            `verify` reports a damaged index. The chain is verified first: a store whose records are damaged \
            is not repaired (restore it from a backup). One transaction: readers see the old or the new indexes.
            """)

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let ledger = try store.openLedger()
        guard case .intact = try ledger.verify() else {
            throw LedgerError(
                .corrupted,
                "the records themselves do not verify; `traceledger verify` names the first bad position: restore "
                    + "the store from a backup instead")
        }
        let before = try ledger.verifyIndexes()
        let events = try await ledger.repairIndexes()
        let after = try ledger.verifyIndexes()
        guard after.isEmpty else {
            throw LedgerError(
                .corrupted, "the indexes are still damaged after the rebuild: \(after.map(\.index))")
        }
        print(
            "rebuilt the indexes of \(Format.count(events)) events"
                + (before.isEmpty
                    ? " (they were intact)" : "; repaired: \(before.map(\.index).joined(separator: ", "))"))
    }
}
