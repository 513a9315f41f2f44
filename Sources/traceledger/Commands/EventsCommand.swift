import ArgumentParser
import TraceLedger

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List events of the log, filtered by range, domain, type and actor.",
        discussion: """
            --from and --until take a position or an RFC 3339 time matched against recordedAt (when the ledger \
            recorded it). --from is inclusive; --until is inclusive for a position, exclusive for a time.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: ArgumentHelp("First position or time.", valueName: "position|time"))
    var from: LogBound?

    @Option(
        name: .long, help: ArgumentHelp("Last position, or time to stop before.", valueName: "position|time"))
    var until: LogBound?

    @Option(name: .long, parsing: .upToNextOption, help: "Only these domains.")
    var domain: [Domain] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Only these event types.")
    var type: [String] = []

    @Option(name: .long, help: "Only events made by this actor.")
    var actor: String?

    @Option(name: .long, help: "At most this many events.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let ledger = try store.openLedger()
        let query = EventQuery(
            from: from?.bound, until: until?.bound, domains: domain.isEmpty ? nil : Set(domain),
            types: type.isEmpty ? nil : Set(type), actor: actor, limit: limit)
        if output.json {
            try ledger.forEachEvent(matching: query) { event in
                print(event.envelopeJSON())
                return true
            }
            return
        }
        var table = EventPrinter.timelineTable()
        try ledger.forEachEvent(matching: query) { event in
            EventPrinter.addRow(for: event, to: &table)
            return true
        }
        if table.rows.isEmpty {
            Terminal.error("no events match")
        } else {
            print(table.rendered())
        }
    }
}
