/// One way an instance breaks a ``JSONSchema``.
///
/// ```swift
/// violation.pathDescription  // "lines[0].sku"
/// violation.keyword          // "required"
/// violation.message          // "missing required field \"sku\""
/// violation.description      // "lines[0].sku: missing required field \"sku\""
/// ```
///
/// Sendable: an immutable value.
public struct JSONSchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// Where in the instance the problem is. For `required`, this points at the missing member.
    public let path: [JSONPathComponent]
    /// The schema keyword whose rule was broken, e.g. `"type"`, `"required"`, `"pattern"`.
    public let keyword: String
    /// What was wrong, e.g. `expected integer, got string "12"` or `must be >= 1, got 0`.
    public let message: String

    /// Creates a violation.
    public init(path: [JSONPathComponent], keyword: String, message: String) {
        self.path = path
        self.keyword = keyword
        self.message = message
    }

    /// The path rendered like `lines[0].unitPrice`; empty for the instance root.
    public var pathDescription: String { path.pathDescription }

    /// `path: message`, or just the message at the root.
    public var description: String {
        path.isEmpty ? message : "\(pathDescription): \(message)"
    }
}
