import ArgumentParser
import TraceLedger

struct RepairIndexesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair-indexes",
        abstract: "Rebuild the event-id, trace, stream and actor indexes from the records.",
        discussion: """
            The records and their hash chain are the truth; the indexes are derived from them. Run it when \
            `verify` reports a damaged index. The chain is verified first: a store whose records are damaged \
            is not repaired (restore it from a backup). One transaction: readers see the old or the new indexes. \
            When an index's own pages are unreadable, it cannot be emptied in place: the store is then copied \
            without its indexes, they are built in the copy, and the verified copy replaces the file (this needs \
            the store to itself: stop servers and replays first).
            """)

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let (before, inPlace) = try await repairInPlace()
        let events: UInt64
        switch inPlace {
        case .success(let count):
            events = count
        case .failure(let damage):
            // An index page too damaged to be freed: rebuild from a copy that leaves the old indexes behind.
            Terminal.error(
                "the damaged indexes cannot be rebuilt in place (\(damage.message)); rebuilding them in a copy of "
                    + "the store instead")
            events = try await Ledger.rebuildIndexesByCopy(at: store.path)
        }
        let after = try store.openLedger().verifyIndexes()
        guard after.isEmpty else {
            throw LedgerError(
                .corrupted, "the indexes are still damaged after the rebuild: \(after.map(\.index))")
        }
        print(
            "rebuilt the indexes of \(Format.count(events)) events"
                + (before.isEmpty
                    ? " (they were intact)" : "; repaired: \(before.map(\.index).joined(separator: ", "))"))
    }

    /// Verifies the records, then rebuilds the indexes in place; the failure is an index too damaged for that.
    /// The store is closed on return.
    private func repairInPlace() async throws -> (before: [IndexDamage], Result<UInt64, LedgerError>) {
        let ledger = try store.openLedger()
        guard case .intact = try ledger.verify() else {
            throw LedgerError(
                .corrupted,
                "the records themselves are damaged (the chain does not verify; `traceledger verify` names the first "
                    + "bad position): indexes cannot be rebuilt from them; restore the store from a backup instead")
        }
        let before = try ledger.verifyIndexes()
        var result: Result<UInt64, LedgerError>
        do {
            result = .success(try await ledger.repairIndexes())
        } catch let error as LedgerError where error.kind == .corrupted {
            result = .failure(error)
        }
        await ledger.close()
        return (before, result)
    }
}
