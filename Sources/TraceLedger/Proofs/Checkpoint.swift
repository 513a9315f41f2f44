import Foundation
import LMDBKit

/// A checkpoint of the log (https://c2sp.org/tlog-checkpoint): its origin, its size and the root of its
/// Merkle tree, `<origin>\n<size>\n<base64 root>\n`, carried in a signed note.
///
/// Sendable: plain values.
public struct Checkpoint: Sendable, Equatable {
    public let origin: String
    public let size: UInt64
    public let root: RFC6962.Hash

    public init(origin: String, size: UInt64, root: RFC6962.Hash) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// The note text.
    public var body: String { "\(origin)\n\(size)\n\(Data(root).base64EncodedString())\n" }

    /// The checkpoint of a signed note, when `key` signed it.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` for a malformed checkpoint, `.corrupted` for a signature that
    ///   does not verify.
    public init(note: String, key: NoteVerifierKey) throws {
        try self.init(text: try SignedNote.open(note, with: key))
    }

    /// The checkpoint a note's text states, its signature not checked: for the checkpoints this store signed
    /// and keeps (`Ledger.latestCheckpoint()`), shown, not proven.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` for a malformed checkpoint.
    public init(text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, let size = UInt64(lines[1]), let root = Data(base64Encoded: String(lines[2])),
            root.count == 32
        else {
            throw LedgerError(.invalidArgument, "the note is not a checkpoint (origin, size, base64 root)")
        }
        self.init(origin: String(lines[0]), size: size, root: Array(root))
    }
}

extension Ledger {
    /// Signs the checkpoint at the head with `key` (whose name is the log's origin), keeps it in the store and
    /// returns the signed note. One snapshot: the size and the root are the same instant's.
    public func checkpoint(signedWith key: NoteSignerKey) async throws -> String {
        try await write { transaction in
            let (size, root) = try transaction.snapshot.merkleRoot()
            let note = try SignedNote.sign(
                Checkpoint(origin: key.name, size: size, root: root).body, with: key)
            try transaction.put(
                Array(note.utf8), at: size.bigEndianBytes, in: transaction.databases.checkpoints)
            return note
        }
    }

    /// The newest checkpoint kept in the store, or nil.
    public func latestCheckpoint() throws -> String? {
        try read { snapshot in
            try snapshot.transaction.withCursor(on: snapshot.databases.checkpoints) { cursor in
                try cursor.last().map { String(decoding: $0.value, as: UTF8.self) }
            }
        }
    }
}
