public import Logging
public import ServiceLifecycle
public import TraceLedger

/// Signs a checkpoint at start and then each time `every` more events are recorded (`serve
/// --checkpoint-every`): the checkpoints an auditor fetches from `GET /v1/checkpoint`. (Signing the same head
/// again gives the same note: Ed25519 is deterministic.)
public struct CheckpointService: Service {
    public let ledger: Ledger
    public let key: NoteSignerKey
    public let every: UInt64
    let logger = Logger(label: "traceledger.checkpoints")

    public init(ledger: Ledger, key: NoteSignerKey, every: UInt64) {
        self.ledger = ledger
        self.key = key
        self.every = max(1, every)
    }

    public func run() async throws {
        var signedAt: UInt64?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let head = try ledger.head().position
                if signedAt.map({ head >= $0 + every }) ?? true {
                    _ = try await ledger.checkpoint(signedWith: key)
                    signedAt = head
                    logger.debug("signed a checkpoint", metadata: ["size": "\(head)"])
                }
                await ledger.waitForCommit(after: head, timeout: .seconds(1))
            } catch {
                logger.error("signing a checkpoint failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }
}
