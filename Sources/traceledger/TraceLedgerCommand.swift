import ArgumentParser
import Foundation
import LMDBKit
import Logging
import TraceLedger

/// The `traceledger` command: an append-only audit ledger for commerce and ERP events.
@main
struct TraceLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traceledger",
        abstract: "An append-only, trace-indexed audit ledger for commerce and ERP events.",
        discussion: """
            The store is --store PATH, else $TRACELEDGER_STORE, else ./traceledger.db.
            Exit codes: 0 ok, 1 failure, 2 usage, 3 verification failed, 4 input rejected, 5 done but \
            something needs a person (reconcile found problems, replay dead-lettered events).
            """,
        subcommands: [
            InitCommand.self, AppendCommand.self, ImportCommand.self, IngestCommand.self, TraceCommand.self,
            ShowCommand.self, HistoryCommand.self,
            EventsCommand.self, StateCommand.self, ProjectCommand.self, ReconcileCommand.self,
            AuditCommand.self,
            VerifyCommand.self, KeygenCommand.self, CheckpointCommand.self, ProveCommand.self,
            CheckProofCommand.self, EraseCommand.self, CompactCommand.self, MigrateCommand.self,
            RepairIndexesCommand.self, BackupCommand.self, DoctorCommand.self,
            StatsCommand.self, ReplayCommand.self, DeadLetterCommand.self, MirrorCommand.self,
            PromoteCommand.self,
            StreamsCommand.self,
            ConsumersCommand.self, ServeCommand.self, TokenCommand.self, TailCommand.self,
            DemoCommand.self,
        ])

    /// Runs the command and maps every failure to the documented exit codes.
    static func main() async {
        bootstrapLogging()
        FaultGuard.install(
            program: "traceledger",
            advice: "Run `traceledger verify` on it to see what is damaged, and restore it from a backup "
                + "(docs/operations.md, \"A damaged file\").",
            exitStatus: ExitStatus.verificationFailed)
        do {
            var command = try await asyncParseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as LedgerError {
            Terminal.error("error: \(error)")
            Foundation.exit(ExitStatus.code(for: error))
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.error(fullMessage(for: error))
                Foundation.exit(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}

/// Sends log messages to stderr at the level of `TRACELEDGER_LOG_LEVEL` (default: warning), so the engine's
/// informational messages stay out of the way of command output.
private func bootstrapLogging() {
    let name = ProcessInfo.processInfo.environment["TRACELEDGER_LOG_LEVEL"] ?? "warning"
    let level = Logger.Level(rawValue: name.lowercased()) ?? .warning
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}

/// The exit codes `traceledger` documents.
enum ExitStatus {
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    static let verificationFailed: Int32 = 3
    static let inputRejected: Int32 = 4
    /// Done, but something needs a person: reconcile found problems, or a replay dead-lettered events.
    static let needsAttention: Int32 = 5

    static func code(for error: LedgerError) -> Int32 {
        switch error.kind {
        case .invalidEvent, .conflict, .tooLarge: inputRejected
        case .invalidArgument: usage
        case .corrupted: verificationFailed
        case .notAStore, .notFound, .unavailable, .storage: failure
        }
    }
}
