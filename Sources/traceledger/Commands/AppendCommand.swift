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
            throw LedgerError(.notFound, "cannot read \(file): \(error.localizedDescription)")
        }
        let decoder = EventDecoder()
        var events: [ProposedEvent] = []
        var lines: [Int] = []
        var rejections: [LedgerError] = []
        input.withUnsafeBytes { raw in
            for line in NDJSONLines(raw) {
                do throws(LedgerError) {
                    events.append(try decoder.decode(line.bytes))
                    lines.append(line.number)
                } catch {
                    rejections.append(error.at(line: line.number))
                }
            }
        }
        guard rejections.isEmpty else {
            for rejection in rejections { Terminal.error("rejected: \(rejection)") }
            throw LedgerError(
                .invalidEvent,
                "\(rejections.count) of \(rejections.count + events.count) events are invalid; nothing "
                    + "was appended: fix them and append again")
        }
        guard !events.isEmpty else {
            throw LedgerError(.invalidEvent, "the input holds no events; nothing was appended")
        }
        let outcomes: [AppendOutcome]
        do {
            outcomes = try await ledger.append(events)
        } catch var error as LedgerError {
            if let index = error.batchIndex { error.line = lines[index] }
            throw LedgerError(
                error.kind, "\(error.description); nothing was appended", line: nil, field: nil, rule: nil)
        }
        for (line, outcome) in zip(lines, outcomes) {
            if json {
                print(
                    "{\"line\":\(line),\"eventId\":\"\(outcome.eventId)\",\"position\":\(outcome.position),"
                        + "\"streamVersion\":\(outcome.streamVersion),\"duplicate\":\(outcome.isDuplicate)}")
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
    }
}
