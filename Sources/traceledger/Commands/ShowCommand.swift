import ArgumentParser
import Foundation
import TraceLedger

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one event's envelope, or with --raw the body its delivery arrived with.",
        discussion: """
            --raw writes the webhook or backfill body the event was mapped from, byte for byte, to standard \
            output: the evidence of what Shopify or Stripe sent. The event's payload names the body's SHA-256, \
            so the hash chain vouches for it; a stored body that no longer matches is reported as corrupted.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The event's position.", valueName: "position"))
    var position: UInt64

    @Flag(name: .long, help: "Print the raw delivery body instead of the envelope.")
    var raw = false

    func run() async throws {
        let ledger = try store.openLedger()
        if raw {
            guard let body = try ledger.evidence(ofEventAt: position) else {
                throw LedgerError(
                    .notFound,
                    "the event at position \(position) was not received from a webhook or backfill: it has no raw "
                        + "body; `traceledger show \(position)` prints its envelope")
            }
            FileHandle.standardOutput.write(Data(body))
            return
        }
        guard let event = try ledger.event(at: position) else {
            throw LedgerError(
                .notFound,
                "there is no event at position \(position); the head is \(try ledger.head().position)")
        }
        print(event.envelopeJSON())
    }
}
