import ArgumentParser
import Foundation
import TraceLedger
import TraceLedgerSinks

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Turn a replica into the primary after the old primary is gone (disaster recovery).",
        discussion: """
            Refuses while the stream shows the old primary still publishing (a message stored within --quiet), \
            or while the replica has not applied everything the stream holds: run `traceledger mirror --once` \
            first. The promotion is the new primary's first event (ledger.replica_promoted), so the chain records \
            when and by whom. Events the old primary acknowledged but the stream never stored are not in this log: \
            docs/scaling.md, "Disaster recovery".
            """)

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: ArgumentHelp("Who promotes, as recorded.", valueName: "actor"))
    var actor: String

    @Option(name: .long, help: "Why, as recorded.")
    var reason: String

    @Option(
        name: .long, help: ArgumentHelp("How long the stream must have been silent.", valueName: "seconds"))
    var quiet = 30

    @Flag(name: .long, help: "Promote without asking the stream (it cannot be reached).")
    var force = false

    func run() async throws {
        let (ledger, status) = try store.openReplica()
        if !force {
            let reader: NATSStreamReader
            do {
                reader = try NATSStreamReader(url: status.origin, consumer: nil)
            } catch let error as LedgerError {
                throw LedgerError(
                    .unavailable,
                    "cannot ask \(status.origin) whether the primary is gone (\(error.message)); when the stream is "
                        + "lost too, --force promotes anyway")
            }
            if let last = try await reader.lastMessage() {
                let silent =
                    Double(Timestamp.now().nanosecondsSinceEpoch - last.storedAt.nanosecondsSinceEpoch) / 1e9
                let position = StreamMirror.position(of: last.body) ?? 0
                guard silent >= Double(quiet) else {
                    throw LedgerError(
                        .conflict,
                        "the primary published position \(position) \(String(format: "%.0f", silent)) s ago: stop it "
                            + "first (two primaries would fork the log), then promote after \(quiet) s of silence"
                    )
                }
                guard status.head.position >= position else {
                    throw LedgerError(
                        .conflict,
                        "the replica is at position \(status.head.position) but the stream holds up to \(position): "
                            + "apply the rest first with `traceledger mirror --once --from \(status.origin)`")
                }
            }
        }
        let position = try await ledger.promote(actor: actor, reason: reason)
        print("promoted: \(store.path) is a primary; the promotion is position \(position)")
        await ledger.close()
    }
}
