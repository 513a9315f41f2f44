/// Every failure of the engine: what kind it is (which decides the CLI's exit code), and a message that
/// says what was wrong and what to do.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input is not a valid event (malformed JSON, schema violation, unknown type, too large).
        case invalidEvent
        /// A valid event that cannot be appended: an event id reused with other content, or a stream not at
        /// the expected version.
        case conflict
        /// The path is not a TraceLedger store, or the store is of a format this build cannot read.
        case notAStore
        /// The stored data does not match its hash chain or cannot be decoded.
        case corrupted
        /// Something asked for does not exist.
        case notFound
        /// LMDB, zstd or the file system failed.
        case storage
    }

    public let kind: Kind
    /// What went wrong, in words, ending with what to do where there is something to do.
    public let message: String
    /// The offending event's index in the batch that was appended (0-based), when one event is to blame.
    public var batchIndex: Int?
    /// The input line (1-based) the event came from, when the caller knows it.
    public var line: Int?
    /// The field the error is about, as a path such as `payload.lines[0].quantity`.
    public var field: String?
    /// The rule broken, such as `required`, `type`, `pattern`, `expectedVersion`.
    public var rule: String?

    public init(
        _ kind: Kind, _ message: String, batchIndex: Int? = nil, line: Int? = nil, field: String? = nil,
        rule: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.batchIndex = batchIndex
        self.line = line
        self.field = field
        self.rule = rule
    }

    /// The same error, attributed to an input line.
    public func at(line: Int) -> LedgerError {
        var copy = self
        copy.line = line
        return copy
    }

    public var description: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        if let field, !field.isEmpty { parts.append(field) }
        parts.append(message)
        var text = parts.joined(separator: ": ")
        if let rule { text += " (\(rule))" }
        return text
    }
}

extension LedgerError {
    /// `error` as a `LedgerError`: itself when it is one, else a storage error that names what was being done.
    static func wrapping(_ error: any Error, doing operation: String) -> LedgerError {
        if let error = error as? LedgerError { return error }
        return LedgerError(.storage, "\(operation) failed: \(error)")
    }
}
