import ArgumentParser
import Foundation
import TraceLedger

struct AppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append NDJSON events as one atomic batch: all of them, or none.",
        discussion:
            "Prints each event's position. Any invalid or conflicting line rejects the whole batch (exit 4).")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("An NDJSON file, or - for standard input.", valueName: "file"))
    var file: String = "-"

    @Flag(name: .long, help: "Print one JSON result per event.")
    var json = false

    func run() async throws {
        let ledger = try store.openLedger()
        let input: Data
        do {
            input =
                file == "-"
                ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw LedgerError(
                .notFound, "cannot read \(file): \(error.localizedDescription)",
                underlying: SendableDescription(error))
        }
        let batch = input.withUnsafeBytes { EventDecoder().decodeBatch($0) }
        guard batch.rejections.isEmpty else {
            for rejection in batch.rejections { Terminal.error("rejected: \(rejection)") }
            throw LedgerError(
                .invalidEvent,
                "\(batch.rejections.count) of \(batch.lineCount) events are invalid; nothing "
                    + "was appended: fix them and append again")
        }
        guard !batch.events.isEmpty else {
            throw LedgerError(.invalidEvent, "the input holds no events; nothing was appended")
        }
        let outcomes: [AppendOutcome]
        do {
            outcomes = try await ledger.append(batch.events)
        } catch var error as LedgerError {
            error.line = batch.line(ofEventAt: error.batchIndex)
            throw LedgerError(
                error.kind, "\(error.description); nothing was appended", line: nil, field: nil, rule: nil)
        }
        for (line, outcome) in zip(batch.lines, outcomes) {
            if json {
                print(outcome.json(line: line))
            } else if outcome.isDuplicate {
                print(
                    "line \(line): already in the ledger at position \(outcome.position) (event \(outcome.eventId))"
                )
            } else {
                print(
                    "line \(line): appended at position \(outcome.position), stream version \(outcome.streamVersion)"
                )
            }
        }
        await ledger.close()  // lets the writer train the zstd dictionary when one is due (see `import`)
    }
}
