import ArgumentParser
import Foundation
import TraceLedger

struct CheckProofCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-proof",
        abstract: "Check a proof against a signed checkpoint, offline: no store needed.",
        discussion: """
            What an auditor runs on their own machine. An inclusion proof is checked against the checkpoint of \
            its tree size, with the event's leaf recomputed from the envelope the proof carries. A consistency \
            proof is checked between --old-checkpoint and --checkpoint. Exit 0 when the proof holds, 3 when it \
            does not.
            """)

    @Argument(help: ArgumentHelp("The proof (`traceledger prove` prints it).", valueName: "proof.json"))
    var proof: String

    @Option(name: .long, help: ArgumentHelp("The signed checkpoint the proof leads to.", valueName: "file"))
    var checkpoint: String

    @Option(
        name: .long, help: ArgumentHelp("For a consistency proof: the older checkpoint.", valueName: "file"))
    var oldCheckpoint: String?

    @Option(
        name: .long, help: ArgumentHelp("The log's verifier key, or a file holding it.", valueName: "vkey"))
    var key: String

    func run() async throws {
        let verifier = try ProofFiles.verifier(key)
        let signed = try ProofFiles.checkpoint(checkpoint, key: verifier)
        let bytes = Array(try ProofFiles.text(proof, what: "proof").utf8)
        switch proofKind(of: bytes) {
        case "inclusion":
            let (inclusion, envelope) = try InclusionProof.parse(bytes)
            guard inclusion.treeSize == signed.size else {
                throw LedgerError(
                    .invalidArgument,
                    "the proof is for a tree of \(inclusion.treeSize) events, the checkpoint for \(signed.size): ask "
                        + "for `traceledger prove POSITION --size \(signed.size)`")
            }
            if let envelope, RFC6962.leafHash(try EventLeaf.bytes(ofEnvelope: envelope)) != inclusion.leafHash
            {
                throw LedgerError(.corrupted, "the event shown is not the one the proof's leaf hash names")
            }
            guard inclusion.root() == signed.root else {
                throw LedgerError(
                    .corrupted,
                    "NOT PROVEN: the audit path does not lead to the checkpoint's root; the event at position "
                        + "\(inclusion.position) is not in the log \(signed.origin) signed at size \(signed.size)"
                )
            }
            print(
                "proven: the event at position \(inclusion.position) is in the log \(signed.origin) of \(signed.size) "
                    + "events (signed by \(verifier.name)\(envelope == nil ? "" : "; its envelope matches the leaf"))"
            )
        case "consistency":
            let consistency = try ConsistencyProof.parse(bytes)
            guard let oldCheckpoint else {
                throw LedgerError(
                    .invalidArgument,
                    "a consistency proof is checked between --old-checkpoint and --checkpoint: give both")
            }
            let old = try ProofFiles.checkpoint(oldCheckpoint, key: verifier)
            guard consistency.oldSize == old.size, consistency.newSize == signed.size else {
                throw LedgerError(
                    .invalidArgument,
                    "the proof is from \(consistency.oldSize) to \(consistency.newSize) events; the checkpoints are of "
                        + "\(old.size) and \(signed.size)")
            }
            guard consistency.proves(oldRoot: old.root, newRoot: signed.root) else {
                throw LedgerError(
                    .corrupted,
                    "NOT PROVEN: the log of \(signed.size) events does not extend the log of \(old.size) the old "
                        + "checkpoint signed: history was rewritten")
            }
            print(
                "proven: the log \(signed.origin) of \(signed.size) events extends the one of \(old.size), unchanged"
            )
        default:
            throw LedgerError(.invalidArgument, "\(proof) is not a proof that `traceledger prove` prints")
        }
    }
}
