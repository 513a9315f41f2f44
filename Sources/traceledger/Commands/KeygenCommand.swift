import ArgumentParser
import Foundation
import TraceLedger

struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make the Ed25519 key that signs the log's checkpoints.",
        discussion: """
            Writes the signer key to --out (mode 0600; keep it off the store's machine if you can) and prints \
            the verifier key, name+keyid+base64 (the C2SP signed-note format): give that to auditors, who check \
            checkpoints and proofs with it.
            """)

    @Option(
        name: .long,
        help: ArgumentHelp("The log's origin, e.g. ledger.example.com/prod.", valueName: "origin"))
    var name: String

    @Option(
        name: .long,
        help: ArgumentHelp("Where to write the signer key (must not exist).", valueName: "keyfile"))
    var out: String

    func run() async throws {
        let key = try NoteSignerKey.generate(name: name)
        let descriptor = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw LedgerError(
                errno == EEXIST ? .invalidArgument : .storage,
                "cannot create \(out): \(reason)\(errno == EEXIST ? "; a key file is never overwritten, choose another path" : "")"
            )
        }
        let text = Array((key.encoded + "\n").utf8)
        let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == text.count, synced == 0 else {
            throw LedgerError(.storage, "writing \(out) failed: \(String(cString: strerror(errno)))")
        }
        print(key.verifier)
    }
}

/// Reading key and checkpoint files for the proof commands.
enum ProofFiles {
    static func text(_ path: String, what: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LedgerError(.notFound, "cannot read the \(what) \(path): \(error.localizedDescription)")
        }
    }

    static func signer(_ path: String) throws -> NoteSignerKey {
        try NoteSignerKey(try text(path, what: "signer key"))
    }

    /// A verifier key given as the key itself or as a file holding it.
    static func verifier(_ keyOrPath: String) throws -> NoteVerifierKey {
        if FileManager.default.fileExists(atPath: keyOrPath) {
            return try NoteVerifierKey(try text(keyOrPath, what: "verifier key"))
        }
        return try NoteVerifierKey(keyOrPath)
    }

    static func checkpoint(_ path: String, key: NoteVerifierKey) throws -> Checkpoint {
        let checkpoint = try Checkpoint(note: try text(path, what: "checkpoint"), key: key)
        guard checkpoint.origin == key.name else {
            throw LedgerError(
                .corrupted, "the checkpoint is of the log \(checkpoint.origin), not \(key.name)")
        }
        return checkpoint
    }
}
