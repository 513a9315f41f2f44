import ArgumentParser
import TraceLedger

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the store, consistently, while it is in use; the copy opens as a store and verifies.",
        discussion: "Appends go on meanwhile: the copy holds one snapshot. Prints the head it holds.")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("A new or empty directory for the copy.", valueName: "destination"))
    var destination: String

    @Flag(name: .long, help: "Leave out free pages (smaller, slower).")
    var compact = false

    func run() async throws {
        let head = try store.openLedger().backup(to: destination, compact: compact)
        print("backed up to \(destination): \(Format.count(head.position)) events, head hash \(head.hash)")
        print("check it with: traceledger verify --store \(destination)")
    }
}
