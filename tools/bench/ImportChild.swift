import ArgumentParser
import Foundation
import Logging
import TraceLedger

/// What the import child reports on stdout, as JSON.
struct ImportChildReport: Codable {
    var events: Int
    var seconds: Double
    var peakRSSBytes: Int
    var peakAnonymousBytes: Int
}

/// `ledger-bench import-child`: imports an NDJSON file into a fresh store with `BulkImporter`, in its own
/// process so that its peak RSS is the import's alone; prints an `ImportChildReport`.
struct ImportChild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-child", abstract: "Internal: one measured import, run by the benchmark.",
        shouldDisplay: false)

    @Option(help: "The store directory to create.") var store: String
    @Option(help: "The NDJSON file to import.") var file: String
    @Option(help: "Events per batch.") var batch = 1000

    func run() async throws {
        var logger = Logger(label: "ledger-bench")
        logger.logLevel = .warning
        let ledger = try Ledger.create(at: store, logger: logger)
        var rejected = 0
        let sampler = AnonymousMemorySampler()
        sampler.start()
        let start = monotonicNanoseconds()
        let summary = try await BulkImporter(ledger: ledger).importFile(
            at: file, options: ImportOptions(batchSize: batch), rejected: { _ in rejected += 1 })
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        guard rejected == 0 else { throw BenchError("the import rejected \(rejected) workload lines") }
        let report = ImportChildReport(
            events: summary.appended, seconds: seconds, peakRSSBytes: try ProcessMemory.peakResidentBytes(),
            peakAnonymousBytes: try sampler.stop())
        print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
    }

    /// Runs the child on `file` into a new store at `store` and returns its report.
    static func measure(file: String, store: String) throws -> ImportChildReport {
        let process = Process()
        guard let executable = Bundle.main.executableURL else {
            throw BenchError("cannot find ledger-bench itself")
        }
        process.executableURL = executable
        process.arguments = ["import-child", "--store", store, "--file", file]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("the import child failed with status \(process.terminationStatus)")
        }
        return try JSONDecoder().decode(ImportChildReport.self, from: data)
    }
}
