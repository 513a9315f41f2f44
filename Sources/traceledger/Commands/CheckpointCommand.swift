import ArgumentParser
import Foundation
import Synchronization
import TraceLedger

struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign the log's checkpoint at the head and print it.",
        discussion: """
            A C2SP tlog checkpoint (origin, size, base64 Merkle root) in a signed note. It is kept in the store \
            (`GET /v1/checkpoint` serves the newest); hand it to auditors: later, `traceledger verify \
            --checkpoint` proves the log only grew since. With --every N it keeps running and signs one each \
            time N more events are recorded.
            """)

    @OptionGroup var store: StoreOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The signer key (from `traceledger keygen`); else $TRACELEDGER_CHECKPOINT_KEY.",
            valueName: "keyfile"))
    var key: String?

    @Option(
        name: .long, help: ArgumentHelp("Keep running, signing after every N new events.", valueName: "n"))
    var every: UInt64?

    func validate() throws {
        if let every, every == 0 { throw ValidationError("--every must be at least 1") }
        if key == nil && ProcessInfo.processInfo.environment["TRACELEDGER_CHECKPOINT_KEY"] == nil {
            throw ValidationError(
                "give --key KEYFILE (made by `traceledger keygen`) or set TRACELEDGER_CHECKPOINT_KEY")
        }
    }

    func run() async throws {
        let signer = try ProofFiles.signer(
            key ?? ProcessInfo.processInfo.environment["TRACELEDGER_CHECKPOINT_KEY"]!)
        let ledger = try store.openLedger()
        guard let every else {
            print(try await ledger.checkpoint(signedWith: signer), terminator: "")
            return
        }
        let stopped = Mutex(false)
        let signals = StopSignals { stopped.withLock { $0 = true } }
        defer { signals.cancel() }
        var signedAt = UInt64.max
        while !stopped.withLock({ $0 }) {
            let head = try ledger.head().position
            if signedAt == .max || head >= signedAt + every {
                print(try await ledger.checkpoint(signedWith: signer), terminator: "")
                fflush(nil)  // each checkpoint at once, also into a pipe
                signedAt = head
            }
            await ledger.waitForCommit(after: head, timeout: .seconds(1))
        }
    }
}
