/// A compiled JSON Schema (draft 2020-12 subset) that validates ``JSONValue`` instances.
///
/// Supported keywords: `type` (incl. arrays; `integer` admits `1.0`), `enum`, `const`,
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`
/// (Unicode code points), `pattern` (ECMA-262-style, unanchored), `properties`,
/// `patternProperties`, `additionalProperties`, `required`, `minProperties`, `maxProperties`,
/// `prefixItems`, `items`, `minItems`, `maxItems`, `uniqueItems`, `allOf`, `anyOf`, `oneOf`,
/// `not`, `$ref` to local JSON pointers (`#`, `#/$defs/x`, percent- and `~`-escaped), `$defs`,
/// and boolean schemas.
///
/// Accepted and ignored: `$schema` (root only, must be 2020-12), the root's own `$id`, `title`,
/// `description`, `$comment`, `examples`, `default`, `deprecated`, `readOnly`, `writeOnly`,
/// keys starting with `x-`, and `format` — an annotation only in 2020-12, so
/// `"format": "date-time"` does **not** check the string.
///
/// Everything else is refused at load with a ``JSONSchemaError`` naming the keyword and where
/// it is: `if`/`then`/`else`, `dependentRequired`, `unevaluatedProperties`, `multipleOf`,
/// `contains`, `propertyNames`, `$anchor`, `$dynamicRef`, a subschema `$id`, remote or
/// `$id`-relative `$ref`, and any unknown key. A schema is never half-enforced.
///
/// ```swift
/// let schema = try JSONSchema(parsing: #"{"type": "object", "required": ["currency"]}"#)
/// for violation in schema.validate(try JSONParser.parse(#"{"amount": 1}"#).value) {
///     print(violation)  // currency: missing required field "currency"
/// }
/// ```
///
/// Sendable: the compiled tree is immutable, so one schema can validate on many threads at once.
public struct JSONSchema: Sendable {
    let nodes: [SchemaNode]
    let root: Int

    /// Compiles a schema document.
    ///
    /// - Throws: ``JSONSchemaError`` for any unsupported keyword, malformed keyword value,
    ///   unresolvable or non-local `$ref`, invalid `pattern`, or endless `$ref` cycle.
    public init(_ document: JSONValue) throws(JSONSchemaError) {
        (nodes, root) = try JSONSchemaCompiler.compile(document)
    }

    /// Parses and compiles a schema given as UTF-8 JSON bytes.
    public init(parsing bytes: [UInt8]) throws(JSONSchemaError) {
        let document: JSONDocument
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw JSONSchemaError(
                .invalidJSON, keyword: nil, at: "#", message: "schema is not valid JSON: \(error)")
        }
        try self.init(document.value)
    }

    /// Parses and compiles a schema given as JSON text.
    public init(parsing text: String) throws(JSONSchemaError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Every violation of the schema by `instance`, in roughly document order; empty when valid.
    ///
    /// - Parameter limit: Stop collecting after this many violations (the result is still
    ///   non-empty exactly when the instance is invalid).
    public func validate(_ instance: JSONValue, limit: Int = 100) -> [JSONSchemaViolation] {
        var evaluator = SchemaEvaluator(nodes: nodes, collecting: true, limit: max(1, limit))
        _ = evaluator.evaluate(root, instance)
        return evaluator.violations
    }

    /// Whether `instance` satisfies the schema; stops at the first failure and builds no messages.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(nodes: nodes, collecting: false, limit: 1)
        return evaluator.evaluate(root, instance)
    }
}
