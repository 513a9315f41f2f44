import ArgumentParser
import TraceLedger

struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show every event of a trace, across systems, in order.",
        discussion: """
            The timeline of one business flow: time, origin, actor, entity, type and what changed. With \
            --order, the trace of the order known by that id: the shop's order id, the ERP's order number or \
            a payment's id (events sent without a trace id join their order's; docs/ingestion.md).
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("The trace id.", valueName: "trace-id"))
    var traceId: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Find the trace by an order's shop, ERP or payment id.", valueName: "id"))
    var order: String?

    func validate() throws {
        guard (traceId == nil) != (order == nil) else {
            throw ValidationError("give a trace id or --order ID, one of them")
        }
    }

    func run() async throws {
        let ledger = try store.openLedger()
        let (traceId, events) = try ledger.read { snapshot in
            let traceId = try order.map { try snapshot.trace(ofOrder: $0) } ?? self.traceId
            return (traceId, try traceId.map { try snapshot.events(forTrace: $0) } ?? [])
        }
        if let order, traceId == nil {
            throw LedgerError(
                .notFound,
                "no event names the order \(order); give the shop's order id, the ERP's order number or a "
                    + "payment id")
        }
        guard !events.isEmpty else {
            throw LedgerError(
                .notFound,
                "no events in trace \(traceId ?? ""); check the id (`traceledger events --limit 5` shows some)"
            )
        }
        EventPrinter.print(events, json: output.json)
    }
}
