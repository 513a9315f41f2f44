/// Why a schema could not be loaded.
///
/// JSONKit enforces a subset of JSON Schema 2020-12 and refuses, loudly, any schema it could not
/// enforce completely: an unsupported keyword, an `$id` that changes the base URI, a remote
/// `$ref`. The message names the keyword and its location in the schema as a JSON pointer, e.g.
/// `unsupported keyword "dependentRequired" at #/properties/order`.
///
/// Sendable: an immutable value.
public struct JSONSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of problem.
    public enum Kind: Sendable, Equatable {
        /// The schema text is not valid JSON.
        case invalidJSON
        /// A keyword JSONKit does not implement, or a key that is not a keyword at all.
        case unsupportedKeyword
        /// A supported keyword with a value of the wrong shape, e.g. `"minLength": -1`.
        case invalidKeywordValue
        /// A `$ref` that is remote, relative to an `$id`, an anchor, or points at nothing.
        case unresolvableReference
        /// `$ref`s (possibly through `allOf`/`anyOf`/`oneOf`/`not`) that loop without ever
        /// stepping into the instance, so validation would never end.
        case referenceCycle
        /// A `pattern` or `patternProperties` key that is not a valid regular expression.
        case invalidPattern
    }

    /// The category of problem.
    public let kind: Kind
    /// The keyword at fault, when there is one.
    public let keyword: String?
    /// The location in the schema as a JSON pointer fragment, e.g. `#/properties/amount`.
    public let schemaLocation: String
    /// The full message, including keyword and location.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, keyword: String?, at schemaLocation: String, message: String) {
        self.kind = kind
        self.keyword = keyword
        self.schemaLocation = schemaLocation
        self.message = message
    }

    public var description: String { message }
}
