import ArgumentParser
import Foundation
import TraceLedger

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bulk-import an NDJSON file in batches, reporting every rejected line.",
        discussion: """
            Every valid event is appended; each rejected line is reported with its number and reason, and the \
            exit code is then 4. Events already in the ledger are skipped, so importing a file twice appends \
            nothing the second time. --strict imports all or nothing.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The NDJSON file, or - for standard input.", valueName: "file"))
    var file: String

    @Flag(name: .long, help: "All or nothing: any rejected line rejects the whole file.")
    var strict = false

    @Option(name: .long, help: "Events per atomic batch.")
    var batchSize = 1000

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        guard batchSize >= 1 && batchSize <= 100_000 else {
            throw ValidationError("--batch-size must be from 1 to 100000")
        }
    }

    func run() async throws {
        let ledger = try store.openLedger()
        var totalBytes = 0
        if file != "-" {
            do {
                totalBytes = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
            } catch {
                throw LedgerError(.notFound, "cannot read \(file): \(error.localizedDescription)")
            }
        }
        let bar = ProgressBar(total: totalBytes, unit: "bytes")
        let started = Date()
        let summary = try await BulkImporter(ledger: ledger).importFile(
            at: file, options: ImportOptions(batchSize: batchSize, strict: strict),
            rejected: { error in
                bar.finish()
                Terminal.error("rejected: \(error)")
            },
            progress: { progress in
                bar.update(
                    done: progress.bytesRead, items: progress.appended + progress.duplicates,
                    itemName: "events",
                    note: progress.rejected > 0 ? "\(progress.rejected) rejected" : "")
            })
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        if json {
            print(
                "{\"lines\":\(summary.lines),\"appended\":\(summary.appended),\"duplicates\":\(summary.duplicates),"
                    + "\"rejected\":\(summary.rejected),\"seconds\":\(String(format: "%.3f", seconds)),"
                    + "\"headPosition\":\(summary.head.position),\"headHash\":\"\(summary.head.hash)\"}")
        } else {
            print(
                "imported \(Format.count(summary.appended)) events, \(Format.count(summary.duplicates)) already in the "
                    + "ledger, \(Format.count(summary.rejected)) rejected, from \(Format.count(summary.lines)) lines in "
                    + "\(Format.duration(seconds)) (\(Format.count(Int(Double(summary.appended + summary.duplicates) / max(seconds, 0.001)))) events/s)"
            )
            print("head: position \(summary.head.position), hash \(summary.head.hash)")
        }
        // Closing lets the writer finish what follows a commit: the zstd dictionary, when the store just grew past
        // a threshold. A process that exits without it never trains one in a store imported in small runs.
        await ledger.close()
        if summary.rejected > 0 { throw ExitCode(ExitStatus.inputRejected) }
    }
}
