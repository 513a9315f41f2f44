internal import Foundation

/// A compiled `pattern`: an ECMA-262-style regular expression searched for anywhere in a string.
///
/// Backed by ICU via `NSRegularExpression`, after a small translation toward ECMA-262 semantics
/// (outside the `u` flag's Unicode classes): `\d` and `\w` are ASCII-only, `$` matches only at the
/// very end (ICU would also match before a final newline), and `[` inside a class is literal.
/// Matching is unanchored, as JSON Schema requires: `"a+"` matches `"xaax"`.
///
/// Patterns within the subset ``PatternProgram`` runs (every pattern of the event schemas) are matched by it
/// directly on the string's scalars, about two orders of magnitude faster than ICU on short strings; ICU
/// still compiles every pattern, so what is accepted and refused at load time does not change.
///
/// Sendable: `NSRegularExpression` is immutable and documented thread-safe for matching, and the program
/// is immutable.
struct SchemaPattern: Sendable {
    /// The pattern as written in the schema, for messages.
    let source: String
    private let expression: NSRegularExpression
    private let program: PatternProgram?

    /// Compiles `source`, or returns the ICU error text when it is not a valid expression.
    init(_ source: String) throws(PatternError) {
        self.source = source
        do {
            expression = try NSRegularExpression(pattern: Self.translated(source))
        } catch {
            throw PatternError(reason: "\(error)")
        }
        program = PatternProgram(source)
    }

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        if let program { return program.matches(text) }
        let range = NSRange(location: 0, length: text.utf16.count)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }

    /// Rewrites the ECMA-262 constructs whose ICU meaning differs.
    static func translated(_ source: String) -> String {
        var output = ""
        var inClass = false
        var iterator = source.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            switch scalar {
            case "\\":
                guard let escaped = iterator.next() else {
                    output.unicodeScalars.append(scalar)
                    break
                }
                switch (escaped, inClass) {
                case ("d", false): output += "[0-9]"
                case ("D", false): output += "[^0-9]"
                case ("w", false): output += "[A-Za-z0-9_]"
                case ("W", false): output += "[^A-Za-z0-9_]"
                case ("d", true): output += "0-9"
                case ("w", true): output += "A-Za-z0-9_"
                default:
                    output.unicodeScalars.append(scalar)
                    output.unicodeScalars.append(escaped)
                }
            case "[" where inClass:
                output += "\\["
            case "[":
                inClass = true
                output += "["
            // A leading ']' (or '^]') is literal in ICU but closes an empty class in ECMA;
            // both are rare enough that they are passed through unchanged.
            case "]" where inClass:
                inClass = false
                output += "]"
            case "$" where !inClass:
                output += "\\z"
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}

/// The reason a pattern failed to compile; turned into a ``JSONSchemaError`` by the compiler.
struct PatternError: Error {
    let reason: String
}
