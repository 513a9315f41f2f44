import ArgumentParser
import TraceLedger

struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show every event of a trace, across systems, in order.",
        discussion: "The timeline of one business flow: time, origin, actor, entity, type and what changed.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("The trace id.", valueName: "trace-id"))
    var traceId: String

    func run() async throws {
        let events = try store.openLedger().events(forTrace: traceId)
        guard !events.isEmpty else {
            throw LedgerError(
                .notFound,
                "no events in trace \(traceId); check the id (`traceledger events --limit 5` shows some)")
        }
        EventPrinter.print(events, json: output.json)
    }
}
