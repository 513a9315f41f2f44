import ArgumentParser
import Foundation
import TraceLedger

struct ProveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Print an inclusion proof of an event, or a consistency proof from an old checkpoint.",
        discussion: """
            `prove POSITION [--size N]`: the event's envelope, its leaf hash and the audit path to the root of \
            the tree of N events (the head by default), as JSON. `prove --consistency OLD_CHECKPOINT`: the \
            proof that today's log extends the one that checkpoint signed. Check either offline with \
            `traceledger check-proof`, or any RFC 6962 verifier (docs/record-format.md, "Merkle tree").
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The event's position.", valueName: "position"))
    var position: UInt64?

    @Option(
        name: .long, help: ArgumentHelp("The tree size to prove against (default: the head).", valueName: "n")
    )
    var size: UInt64?

    @Option(
        name: .long, help: ArgumentHelp("An old checkpoint (a signed note file).", valueName: "checkpoint"))
    var consistency: String?

    func validate() throws {
        guard (position == nil) != (consistency == nil) else {
            throw ValidationError("give a POSITION, or --consistency OLD_CHECKPOINT, one of them")
        }
    }

    func run() async throws {
        let ledger = try store.openLedger()
        if let position {
            let json = try ledger.read { snapshot in
                let proof = try snapshot.inclusionProof(position: position, treeSize: size)
                let root = try snapshot.merkleRoot(size: proof.treeSize).root
                return proof.json(event: try snapshot.event(at: position)!, root: root)
            }
            print(json)
            return
        }
        // The old checkpoint's signature is the auditor's business (`check-proof`): its size and root are read
        // here only to say which tree the proof starts from.
        let note = try ProofFiles.text(consistency!, what: "checkpoint")
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 3, let oldSize = UInt64(lines[1]),
            let oldRoot = Data(base64Encoded: String(lines[2]))
        else {
            throw LedgerError(
                .invalidArgument, "\(consistency!) is not a checkpoint (origin, size, base64 root)")
        }
        let json = try ledger.read { snapshot in
            let head = try snapshot.head().position
            guard oldSize <= head else {
                throw LedgerError(
                    .corrupted,
                    "HISTORY REWRITTEN: the checkpoint is of \(oldSize) events; this store holds \(head): events were removed"
                )
            }
            guard try snapshot.merkleRoot(size: oldSize).root == Array(oldRoot) else {
                throw LedgerError(
                    .corrupted,
                    "HISTORY REWRITTEN: the store's first \(oldSize) events are not the ones the checkpoint signed, so "
                        + "no consistency proof exists (`traceledger verify --checkpoint` says the same)")
            }
            let proof = try snapshot.consistencyProof(from: oldSize, to: size)
            return proof.json(
                oldRoot: Array(oldRoot), newRoot: try snapshot.merkleRoot(size: proof.newSize).root)
        }
        print(json)
    }
}
