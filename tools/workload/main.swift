import ArgumentParser
import Foundation
import TraceLedgerWorkload

/// `ledger-workload`: prints a deterministic TraceLedger workload as NDJSON on stdout.
///
///     swift run -c release ledger-workload --seed 42 --events 1000000 > events.ndjson
@main
struct LedgerWorkload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-workload",
        abstract: "Print a deterministic, realistic commerce workload as NDJSON (same seed, same bytes).")

    @Option(help: "The seed of every random choice.")
    var seed: UInt64 = 1

    @Option(help: "How many events to print.")
    var events: Int

    @Option(
        help: ArgumentHelp(
            "occurredAt of the first flow (default 2026-11-02T09:00:00Z).", valueName: "rfc3339"))
    var start: String?

    func validate() throws {
        guard events >= 0 else { throw ValidationError("--events must be 0 or more") }
        if let start, RFC3339Timestamp.parseMilliseconds(start) == nil {
            throw ValidationError("--start must be an RFC 3339 date-time such as 2026-11-02T09:00:00Z")
        }
    }

    func run() throws {
        var configuration = WorkloadConfiguration.realistic
        configuration.seed = seed
        if let start, let milliseconds = RFC3339Timestamp.parseMilliseconds(start) {
            configuration.startMilliseconds = milliseconds
        }
        // Write in large chunks: one write per line would dominate the run time.
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for event in WorkloadGenerator(configuration).prefix(events) {
            buffer.append(contentsOf: event.line.utf8)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 {
                FileHandle.standardOutput.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(Data(buffer))
    }
}
