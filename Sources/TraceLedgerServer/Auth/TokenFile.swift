import Crypto
import Foundation
public import TraceLedger

/// One token the server accepts: its name (recorded as the actor of what it does), its roles, and the
/// SHA-256 of the token (the token itself is never stored).
public struct TokenEntry: Sendable, Equatable {
    public let name: String
    public let roles: Set<Role>
    /// SHA-256 of the token, 32 bytes.
    let digest: [UInt8]
}

/// The token file: one token a line, `NAME ROLE[,ROLE…] SHA256-HEX`; blank lines and `#` comments are
/// skipped.
///
/// ```
/// # name         roles           sha-256 of the token
/// shop-connector ingest          9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
/// alice          read,audit      …
/// ```
///
/// Sendable: immutable once read.
public struct TokenFile: Sendable {
    public let entries: [TokenEntry]

    public init(entries: [TokenEntry]) { self.entries = entries }

    /// Reads and checks the token file at `path`.
    ///
    /// - Throws: `LedgerError` `.notFound` when it cannot be read, `.invalidArgument` naming the line that is
    ///   malformed.
    public init(path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LedgerError(
                .notFound, "cannot read the token file \(path): \(error.localizedDescription)",
                underlying: SendableDescription(error))
        }
        var entries: [TokenEntry] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .enumerated()
        {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let entry = try Self.parse(line, number: index + 1, path: path)
            guard !entries.contains(where: { $0.name == entry.name }) else {
                throw LedgerError(
                    .invalidArgument,
                    "\(path) line \(index + 1): a second token named \(entry.name); names are actors and must be unique"
                )
            }
            entries.append(entry)
        }
        self.entries = entries
    }

    private static func parse(_ line: String, number: Int, path: String) throws -> TokenEntry {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        func refuse(_ why: String) -> LedgerError {
            LedgerError(
                .invalidArgument,
                "\(path) line \(number): \(why); a line is NAME ROLE[,ROLE…] SHA256-HEX "
                    + "(`traceledger token add` writes one)")
        }
        guard fields.count == 3 else { throw refuse("expected 3 fields, found \(fields.count)") }
        var roles: Set<Role> = []
        for name in fields[1].split(separator: ",") {
            guard let role = Role(rawValue: String(name)) else {
                throw refuse(
                    "unknown role \"\(name)\"; the roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            roles.insert(role)
        }
        guard let digest = hexBytes(fields[2]), digest.count == 32 else {
            throw refuse("the third field must be the token's SHA-256 as 64 hex digits")
        }
        return TokenEntry(name: fields[0], roles: roles, digest: digest)
    }

    /// The entry whose token is `token`, comparing digests in constant time over every entry.
    public func entry(forToken token: String) -> TokenEntry? {
        let presented = Array(SHA256.hash(data: Data(token.utf8)))
        var found: TokenEntry?
        for entry in entries where Self.constantTimeEqual(entry.digest, presented) && found == nil {
            found = entry
        }
        return found
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Makes a new random token for `name` with `roles`, appends its line to the file at `path` (created with
    /// mode 0600 if missing) and returns the token: the only time it is shown.
    ///
    /// - Throws: `LedgerError` `.invalidArgument` for a name already in the file or with spaces, `.storage`
    ///   when the file cannot be written.
    public static func add(name: String, roles: Set<Role>, to path: String) throws -> String {
        guard !name.isEmpty, !name.contains(where: \.isWhitespace), !name.hasPrefix("#") else {
            throw LedgerError(
                .invalidArgument, "a token name is one word not starting with #, such as shop-connector")
        }
        guard !roles.isEmpty else {
            throw LedgerError(
                .invalidArgument, "give the token at least one role: ingest, read, audit or operate")
        }
        let existing = FileManager.default.fileExists(atPath: path) ? try TokenFile(path: path).entries : []
        guard !existing.contains(where: { $0.name == name }) else {
            throw LedgerError(
                .invalidArgument,
                "\(path) has a token named \(name) already; remove its line first to replace it")
        }
        var random = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let token =
            "tl_"
            + Data(secret).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let digest = SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
        let line = "\(name) \(roles.sorted().map(\.rawValue).joined(separator: ",")) \(digest)\n"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LedgerError(.storage, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let written = line.utf8CString.withUnsafeBufferPointer {
            write(descriptor, $0.baseAddress, $0.count - 1)
        }
        guard written == line.utf8.count, fsync(descriptor) == 0 else {
            throw LedgerError(.storage, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return token
    }
}

private func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0, text.allSatisfy(\.isHexDigit) else { return nil }
    var bytes: [UInt8] = []
    for index in stride(from: 0, to: digits.count, by: 2) {
        guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
            return nil
        }
        bytes.append(byte)
    }
    return bytes
}
