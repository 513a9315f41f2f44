import Foundation
import TraceLedgerTesting
import TraceLedgerWorkload

/// A workload file and a store path inside one temporary directory, for CLI tests.
struct CLIFixture {
    let directory = TemporaryDirectory("cli")
    var store: String { directory.file("store") }

    /// Writes `lines` as an NDJSON file and returns its path.
    func write(_ lines: [String], to name: String = "events.ndjson") throws -> String {
        let path = directory.file(name)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `traceledger` with `--store` pointing at this fixture's store.
    func run(_ arguments: String..., stdin: String? = nil) throws -> CommandResult {
        try CommandRunner.run(arguments + ["--store", store], stdin: stdin)
    }
}
