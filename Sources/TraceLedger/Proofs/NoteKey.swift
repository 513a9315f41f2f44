import Crypto
import Foundation

/// Ed25519 keys in the C2SP signed-note formats (https://c2sp.org/signed-note), as Go's
/// `golang.org/x/mod/sumdb/note` and the transparency logs write them.
///
/// - signer (private) key: `PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x01 ‖ 32-byte seed)>`
/// - verifier key: `<name>+<key id>+<base64(0x01 ‖ 32-byte public key)>`
/// - key id: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian.
public struct NoteVerifierKey: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let keyId: UInt32
    /// The Ed25519 public key: 32 bytes.
    public let publicKey: [UInt8]

    /// Reads a verifier key.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` saying what is wrong with it.
    public init(_ text: String) throws {
        // The base64 key may itself hold a `+`: it is everything after the second separator.
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let id = UInt32(parts[1], radix: 16), parts[1].count == 8,
            let key = Data(base64Encoded: String(parts[2])), key.count == 33, key.first == 0x01
        else {
            throw LedgerError(
                .invalidArgument,
                "\"\(text.prefix(80))\" is not an Ed25519 verifier key (name+keyid+base64, as `traceledger keygen` prints)"
            )
        }
        try self.init(name: String(parts[0]), publicKey: Array(key.dropFirst()))
        guard keyId == id else {
            throw LedgerError(
                .invalidArgument, "the verifier key's id \(parts[1]) does not match its name and key")
        }
    }

    init(name: String, publicKey: [UInt8]) throws {
        try NoteSignerKey.checkName(name)
        do {
            _ = try Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
        } catch {
            throw LedgerError(
                .invalidArgument, "the verifier key of \(name) is not an Ed25519 public key: \(error)")
        }
        self.name = name
        self.publicKey = publicKey
        keyId = Self.keyId(name: name, publicKey: publicKey)
    }

    static func keyId(name: String, publicKey: [UInt8]) -> UInt32 {
        let digest = Array(SHA256.hash(data: Array(name.utf8) + [0x0A, 0x01] + publicKey))
        return UInt32(bigEndianBytes: digest[0..<4])
    }

    /// `name+keyid+base64(0x01 ‖ key)`.
    public var description: String {
        "\(name)+\(String(format: "%08x", keyId))+\(Data([0x01] + publicKey).base64EncodedString())"
    }

    /// Whether `signature` (64 bytes) signs `message` with this key.
    func isValid(signature: [UInt8], for message: [UInt8]) -> Bool {
        do {
            return try Curve25519.Signing.PublicKey(rawRepresentation: publicKey).isValidSignature(
                signature, for: message)
        } catch {
            return false  // checked in init: cannot happen
        }
    }
}

/// An Ed25519 signer key in the note format (`PRIVATE+KEY+…`): kept in a file of mode 0600, never printed.
public struct NoteSignerKey: Sendable {
    public let name: String
    private let seed: [UInt8]
    public let verifier: NoteVerifierKey

    /// Reads a signer key.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` saying what is wrong with it.
    public init(_ text: String) throws {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", UInt32(parts[3], radix: 16) != nil,
            let key = Data(base64Encoded: String(parts[4])), key.count == 33, key.first == 0x01
        else {
            throw LedgerError(
                .invalidArgument,
                "this is not an Ed25519 signer key (PRIVATE+KEY+name+keyid+base64, as `traceledger keygen` writes)"
            )
        }
        try self.init(name: String(parts[2]), seed: Array(key.dropFirst()))
        guard String(format: "%08x", verifier.keyId) == parts[3].lowercased() else {
            throw LedgerError(
                .invalidArgument, "the signer key's id \(parts[3]) does not match its name and key")
        }
    }

    private init(name: String, seed: [UInt8]) throws {
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw LedgerError(.invalidArgument, "the signer key's seed is not an Ed25519 key: \(error)")
        }
        self.name = name
        self.seed = seed
        verifier = try NoteVerifierKey(name: name, publicKey: Array(key.publicKey.rawRepresentation))
    }

    /// A new key named `name` (a log's origin, such as `ledger.example.com/prod`).
    public static func generate(name: String) throws -> NoteSignerKey {
        try NoteSignerKey(name: name, seed: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    /// `PRIVATE+KEY+name+keyid+base64(0x01 ‖ seed)`.
    public var encoded: String {
        "PRIVATE+KEY+\(name)+\(String(format: "%08x", verifier.keyId))+\(Data([0x01] + seed).base64EncodedString())"
    }

    /// The Ed25519 signature of `message` (deterministic, RFC 8032).
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        return Array(try key.signature(for: message))
    }

    /// A key name: non-empty, no spaces, no `+` (the formats' separator).
    static func checkName(_ name: String) throws {
        guard !name.isEmpty, !name.contains("+"), !name.contains(where: { $0.isWhitespace || $0.isNewline }),
            DisplaySafety.firstUnsafe(in: name) == nil
        else {
            throw LedgerError(
                .invalidArgument,
                "\"\(name)\" cannot name a key: use a log origin such as ledger.example.com/prod (no spaces or +)"
            )
        }
    }
}
