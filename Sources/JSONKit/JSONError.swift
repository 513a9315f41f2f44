/// Why a JSON text was rejected, with the byte offset where the problem starts.
///
/// `description` is a complete sentence a person can act on, for example
/// `duplicate key "amount" at byte 55` or
/// `unexpected character '}' at byte 17: expected a value`. Match on ``kind`` in `catch` blocks.
///
/// Sendable: an immutable value.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of problem, for code that needs to react differently to each.
    public enum Kind: Sendable, Equatable {
        /// A byte that cannot start or continue the expected token.
        case unexpectedCharacter
        /// The input stopped in the middle of a value.
        case unexpectedEndOfInput
        /// A byte sequence that is not well-formed UTF-8 (including overlong forms and surrogates).
        case invalidUTF8
        /// A number that breaks the RFC 8259 grammar, such as `01`, `1.` or `-`.
        case invalidNumber
        /// A malformed backslash escape or a lone UTF-16 surrogate in a `\u` escape.
        case invalidEscape
        /// An unescaped control character (U+0000...U+001F) inside a string.
        case controlCharacterInString
        /// The same key appears twice in one object.
        case duplicateKey
        /// Arrays and objects nest deeper than the configured limit.
        case nestingTooDeep
        /// Non-whitespace bytes after the top-level value.
        case trailingContent
    }

    /// The category of problem.
    public let kind: Kind
    /// Byte offset into the input where the problem was found.
    public let offset: Int
    /// The full message, including the byte offset, e.g. `invalid UTF-8 at byte 40`.
    public let message: String

    /// Creates an error; `message` should say what was found, where, and what was expected.
    public init(_ kind: Kind, at offset: Int, message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { message }
}
