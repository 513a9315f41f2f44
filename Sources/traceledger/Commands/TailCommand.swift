import ArgumentParser
import Foundation
import TraceLedger

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print events as they are committed (from the head, or --from a position); Ctrl-C stops.",
        discussion:
            "Commits of this machine's other processes show up within a second. --json prints the envelopes.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Start at this position (default: the next event).")
    var from: UInt64?

    @Option(name: .long, help: ArgumentHelp("Only these domains (comma-separated).", valueName: "d,..."))
    var domain: CommaList?

    @Option(name: .long, help: ArgumentHelp("Only these event types (comma-separated).", valueName: "t,..."))
    var type: CommaList?

    @Option(name: .long, help: ArgumentHelp("Only this trace.", valueName: "trace-id"))
    var trace: String?

    func validate() throws {
        for name in domain?.items ?? [] where Domain(rawValue: name) == nil {
            throw ValidationError(
                "unknown domain \(name): use order, payment, stock, invoice, customer or ledger")
        }
    }

    func run() async throws {
        let ledger = try store.openLedger()
        let query = EventQuery(
            domains: domain.map { Set($0.items.compactMap(Domain.init(rawValue:))) },
            types: type.map { Set($0.items) })
        var live = LiveEvents(
            ledger: ledger, from: try from ?? (ledger.head().position + 1), query: query, traceId: trace)
        let stop = ReplayStop()
        let signals = StopSignals { stop.request() }
        defer { signals.cancel() }
        while !stop.isRequested {
            let events = try await live.nextPage(timeout: .seconds(1))
            if events.isEmpty { continue }
            // A table per page: a tail reads as a running timeline.
            EventPrinter.print(events, json: output.json)
            fflush(nil)  // a tail piped into another program shows each page at once
        }
    }
}
