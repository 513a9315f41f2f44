import Foundation
import Testing
import TraceLedger

/// The signed-note vector of golang.org/x/mod's note package (note_test.go), and checkpoints signed and
/// opened with our keys.
@Suite struct SignedNoteTests {
    static let signer = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let verifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let text =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let signature =
        "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="

    @Test func goesVectorSignsToExactlyItsSignatureLine() throws {
        let key = try NoteSignerKey(Self.signer)
        #expect(key.verifier.description == Self.verifier)
        #expect(try SignedNote.sign(Self.text, with: key) == Self.text + "\n" + Self.signature + "\n")
        #expect(
            try SignedNote.open(
                Self.text + "\n" + Self.signature + "\n", with: NoteVerifierKey(Self.verifier)) == Self.text)
    }

    @Test func anAlteredNoteOrAnotherKeyIsRefused() throws {
        let key = try NoteVerifierKey(Self.verifier)
        let altered =
            Self.text.replacingOccurrences(of: "answer", with: "Answer") + "\n" + Self.signature + "\n"
        let error = #expect(throws: LedgerError.self) { try SignedNote.open(altered, with: key) }
        #expect(error?.kind == .corrupted)
        let other = try NoteSignerKey.generate(name: "PeterNeumann")
        #expect(throws: LedgerError.self) {
            try SignedNote.open(Self.text + "\n" + Self.signature + "\n", with: other.verifier)
        }
        for bad in [
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "PeterNeumann",
            "a b+00000000+AA==",
        ] {
            #expect(throws: LedgerError.self) { try NoteVerifierKey(bad) }
        }
    }

    @Test func aCheckpointRoundTripsThroughANote() throws {
        let key = try NoteSignerKey.generate(name: "ledger.example.com/prod")
        #expect(try NoteSignerKey(key.encoded).verifier == key.verifier)
        let checkpoint = Checkpoint(origin: key.name, size: 12, root: RFC6962.emptyRoot)
        let note = try SignedNote.sign(checkpoint.body, with: key)
        #expect(
            note.hasPrefix(
                "ledger.example.com/prod\n12\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— ledger.example.com/prod "
            ))
        #expect(try Checkpoint(note: note, key: key.verifier) == checkpoint)
    }
}
