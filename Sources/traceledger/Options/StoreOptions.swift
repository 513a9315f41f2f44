import ArgumentParser
import Foundation
import TraceLedger

/// `--store PATH`, shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store directory (default: $TRACELEDGER_STORE, else ./traceledger.db).", valueName: "path"))
    var store: String?

    /// The store path the user meant.
    var path: String {
        if let store { return store }
        if let fromEnvironment = ProcessInfo.processInfo.environment["TRACELEDGER_STORE"],
            !fromEnvironment.isEmpty
        {
            return fromEnvironment
        }
        return "./traceledger.db"
    }

    func openLedger() throws -> Ledger { try Ledger.open(at: path) }

    /// Opens a replica's ledger with its status; a primary is refused with what it is.
    func openReplica() throws -> (Ledger, ReplicaStatus) {
        let ledger = try openLedger()
        guard let status = try ledger.replicaStatus() else {
            throw LedgerError(.invalidArgument, "\(path) is not a replica: it is a primary")
        }
        return (ledger, status)
    }
}

/// `--json`, for the reading commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print NDJSON (one event envelope per line) instead of a table.")
    var json = false
}
