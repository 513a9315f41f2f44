import ArgumentParser
import Foundation
import JSONKit
import TraceLedger

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Walk the hash chain and prove the log unaltered, then check every index against the records.",
        discussion: """
            Exit 0 with the head when intact; exit 3 with the first bad position, or the damaged indexes, when \
            not. With --checkpoint and --key, also proves that the log extends, unchanged, the one an old \
            signed checkpoint describes: whoever can write the store could recompute every hash of the chain, \
            but not the signature an auditor kept.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(
        name: .long,
        help: ArgumentHelp("An old signed checkpoint to check the log against.", valueName: "file"))
    var checkpoint: String?

    @Option(
        name: .long, help: ArgumentHelp("The log's verifier key, or a file holding it.", valueName: "vkey"))
    var key: String?

    func validate() throws {
        if (checkpoint == nil) != (key == nil) {
            throw ValidationError(
                "--checkpoint and --key go together: the checkpoint is checked with the key")
        }
    }

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let ledger = try store.openLedger()
        let head = try ledger.head()
        let bar = ProgressBar(total: Int(head.position), unit: "events")
        let started = Date()
        let result = try ledger.verify { done, _ in
            bar.update(done: Int(done), items: Int(done), itemName: "events")
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        switch result {
        case .intact(let head):
            let damage = try ledger.verifyIndexes()
            var consistency: (message: String, failure: LedgerError?)?
            if let checkpoint, let key {
                do {
                    consistency = (try verify(ledger, against: checkpoint, key: key), nil)
                } catch let error as LedgerError {
                    consistency = (error.message, error)
                }
            }
            if json {
                var object = result.jsonObject
                object["damagedIndexes"] = .array(
                    damage.map { .object(["index": .string($0.index), "reason": .string($0.reason)]) })
                if let consistency {
                    object["checkpoint"] = .object([
                        "consistent": .bool(consistency.failure == nil),
                        "message": .string(consistency.message),
                    ])
                }
                print(JSONValue.object(object).serialized())
            } else {
                print("intact: \(Format.count(head.position)) events verified in \(Format.duration(seconds))")
                print("head: position \(head.position), hash \(head.hash)")
                for problem in damage {
                    print("INDEX DAMAGED: \(problem.index): \(problem.reason)")
                }
                if !damage.isEmpty {
                    print(
                        "the records and their chain are intact; rebuild the indexes from them with "
                            + "`traceledger repair-indexes`")
                }
            }
            if !damage.isEmpty { throw ExitCode(ExitStatus.verificationFailed) }
            if let consistency {
                if let failure = consistency.failure { throw failure }
                if !json { print(consistency.message) }
            }
        case .broken(let position, let reason):
            if json {
                print(result.json)
            } else {
                print("BROKEN at position \(position): \(reason)")
                print(
                    "events before position \(position) are intact; restore the store from a backup or investigate"
                )
            }
            throw ExitCode(ExitStatus.verificationFailed)
        }
    }

    /// Checks the old checkpoint's signature, then that today's tree holds the tree it signed: the root of the
    /// first `size` events is the checkpoint's root, and a consistency proof leads from it to the head.
    private func verify(_ ledger: Ledger, against path: String, key: String) throws -> String {
        let verifier = try ProofFiles.verifier(key)
        let old = try ProofFiles.checkpoint(path, key: verifier)
        let (head, rootThen, rootNow, proof) = try ledger.read { snapshot in
            let head = try snapshot.head().position
            guard head >= old.size else {
                throw LedgerError(
                    .corrupted,
                    "HISTORY REWRITTEN: the checkpoint signed a log of \(old.size) events; this store holds \(head): "
                        + "events were removed")
            }
            return (
                head, try snapshot.merkleRoot(size: old.size).root, try snapshot.merkleRoot().root,
                try snapshot.consistencyProof(from: old.size)
            )
        }
        guard rootThen == old.root, proof.proves(oldRoot: old.root, newRoot: rootNow) else {
            throw LedgerError(
                .corrupted,
                "HISTORY REWRITTEN: the first \(old.size) events are not the ones the checkpoint of \(old.origin) at "
                    + "size \(old.size) signed; history diverged at or before position \(old.size) (the chain was "
                    + "recomputed over the change, so only the signed checkpoint shows it)")
        }
        return
            "consistent with the checkpoint of \(old.origin) at size \(old.size): the log only grew since, to \(head)"
    }
}
