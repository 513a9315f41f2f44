import Foundation

/// A signed note (https://c2sp.org/signed-note): text ending in a newline, a blank line, then one line per
/// signature, `— <key name> <base64(key id ‖ signature)>`. The signature covers the text exactly.
public enum SignedNote {
    /// `text` signed with `key`.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` when the text does not end in a newline.
    public static func sign(_ text: String, with key: NoteSignerKey) throws -> String {
        guard text.hasSuffix("\n") else {
            throw LedgerError(.invalidArgument, "a note's text ends in a newline")
        }
        let signature = try key.sign(Array(text.utf8))
        return text + "\n" + signatureLine(name: key.name, keyId: key.verifier.keyId, signature: signature)
            + "\n"
    }

    static func signatureLine(name: String, keyId: UInt32, signature: [UInt8]) -> String {
        "\u{2014} \(name) " + Data(keyId.bigEndianBytes + signature).base64EncodedString()
    }

    /// The text of `note` when one of its signatures is `key`'s and valid.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` when the note is malformed, `.corrupted` (exit 3) when it
    ///   carries no valid signature of `key`.
    public static func open(_ note: String, with key: NoteVerifierKey) throws -> String {
        guard let split = note.range(of: "\n\n", options: .backwards) else {
            throw LedgerError(
                .invalidArgument, "this is not a signed note: no blank line before its signatures")
        }
        let text = String(note[..<split.lowerBound]) + "\n"
        let lines = note[split.upperBound...].split(separator: "\n")
        guard !lines.isEmpty else { throw LedgerError(.invalidArgument, "the note carries no signature") }
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "\u{2014}", let bytes = Data(base64Encoded: String(parts[2])),
                bytes.count >= 5
            else {
                throw LedgerError(
                    .invalidArgument, "\"\(line.prefix(80))\" is not a signature line (— name base64)")
            }
            let signed = Array(bytes)
            guard parts[1] == key.name, UInt32(bigEndianBytes: signed[0..<4]) == key.keyId else { continue }
            if key.isValid(signature: Array(signed[4...]), for: Array(text.utf8)) { return text }
            throw LedgerError(
                .corrupted,
                "the signature of \(key.name) does not match the note: it was altered after signing")
        }
        throw LedgerError(
            .corrupted, "the note is not signed by \(key.name) (key id \(String(format: "%08x", key.keyId)))")
    }
}
