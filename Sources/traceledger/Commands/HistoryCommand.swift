import ArgumentParser
import TraceLedger

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show one entity's events in order, oldest first.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("order, payment, stock, invoice, customer or ledger.", valueName: "domain"))
    var domain: Domain

    @Argument(help: ArgumentHelp("The entity id, e.g. SO-100001 or SKU-1@WH-BER.", valueName: "entity-id"))
    var entityId: String

    func run() async throws {
        let events = try store.openLedger().history(of: StreamKey(domain: domain, entityId: entityId))
        guard !events.isEmpty else {
            throw LedgerError(
                .notFound, "no events for \(domain.rawValue)/\(entityId); check the domain and id")
        }
        EventPrinter.print(events, json: output.json)
    }
}
