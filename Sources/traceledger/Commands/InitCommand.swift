import ArgumentParser
import TraceLedger

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a new, empty store.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        _ = try Ledger.create(at: store.path)
        print("created an empty TraceLedger store at \(store.path)")
        print("next: traceledger import events.ndjson --store \(store.path)")
    }
}
