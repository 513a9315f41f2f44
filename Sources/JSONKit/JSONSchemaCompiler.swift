/// Turns a schema document into the ``SchemaNode`` tree, refusing anything it cannot enforce.
///
/// Every subschema in the document is compiled (including unreferenced `$defs`), so an
/// unsupported keyword is reported even where no instance would reach it.
struct JSONSchemaCompiler {
    /// Keywords that only annotate; accepted and ignored. `format` is annotation-only in 2020-12.
    static let annotationKeywords: Set<String> = [
        "title", "description", "$comment", "examples", "default", "format", "deprecated", "readOnly",
        "writeOnly",
    ]

    /// 2020-12 keywords JSONKit deliberately does not implement; named in refusals.
    static let knownUnsupportedKeywords: Set<String> = [
        "$anchor", "$dynamicAnchor", "$dynamicRef", "$vocabulary", "$recursiveRef", "$recursiveAnchor",
        "if", "then", "else", "dependentRequired", "dependentSchemas", "dependencies", "contains",
        "minContains", "maxContains", "propertyNames", "unevaluatedItems", "unevaluatedProperties",
        "multipleOf", "contentEncoding", "contentMediaType", "contentSchema", "additionalItems",
        "definitions",
    ]

    static let supportedDialects: Set<String> = [
        "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#",
    ]

    let document: JSONValue
    private(set) var nodes: [SchemaNode] = []
    private var nodeIndexByLocation: [String: Int] = [:]

    init(document: JSONValue) {
        self.document = document
    }

    /// Compiles the whole document; returns the nodes and the root's index.
    static func compile(_ document: JSONValue) throws(JSONSchemaError) -> (nodes: [SchemaNode], root: Int) {
        var compiler = JSONSchemaCompiler(document: document)
        let root = try compiler.compileSchema(document, at: [])
        try SchemaCycleCheck.ensureTerminates(compiler.nodes)
        return (compiler.nodes, root)
    }

    /// Compiles the schema at `tokens` once; later requests (e.g. from `$ref`) reuse its index.
    mutating func compileSchema(_ schema: JSONValue, at tokens: [String]) throws(JSONSchemaError) -> Int {
        let location = JSONPointer.fragment(tokens)
        if let existing = nodeIndexByLocation[location] { return existing }
        let index = nodes.count
        nodes.append(SchemaNode(location: location))
        nodeIndexByLocation[location] = index
        switch schema {
        case .bool(let accepts):
            nodes[index].rejectsEverything = !accepts
        case .object(let object):
            nodes[index].checks = try compileKeywords(object, at: tokens)
        default:
            throw JSONSchemaError(
                .invalidKeywordValue, keyword: tokens.last, at: location,
                message: "schema at \(location) must be an object or a boolean, got \(schema.typeName)")
        }
        return index
    }

    private mutating func compileKeywords(_ object: JSONObject, at tokens: [String]) throws(JSONSchemaError)
        -> [SchemaCheck]
    {
        var checks = KeywordChecks()
        for (keyword, value) in object.members {
            let reader = KeywordReader(keyword: keyword, value: value, tokens: tokens)
            switch keyword {
            case "type":
                let (types, names) = try reader.typeSet()
                checks.type = .type(types, names: names)
            case "const": checks.constant = .constant(value)
            case "enum": checks.enumeration = .enumeration(try reader.array())
            case "minimum": checks.minimum = .minimum(try reader.number(), exclusive: false)
            case "exclusiveMinimum": checks.exclusiveMinimum = .minimum(try reader.number(), exclusive: true)
            case "maximum": checks.maximum = .maximum(try reader.number(), exclusive: false)
            case "exclusiveMaximum": checks.exclusiveMaximum = .maximum(try reader.number(), exclusive: true)
            case "minLength": checks.minLength = .minLength(try reader.count())
            case "maxLength": checks.maxLength = .maxLength(try reader.count())
            case "pattern": checks.pattern = .pattern(try reader.pattern(try reader.string()))
            case "properties":
                for (name, subschema) in try reader.object().members {
                    checks.members.properties[CodePointKey(name)] = try compileSchema(
                        subschema, at: tokens + [keyword, name])
                }
                checks.hasMemberRules = true
            case "patternProperties":
                for (source, subschema) in try reader.object().members {
                    let pattern = try reader.pattern(source)
                    let node = try compileSchema(subschema, at: tokens + [keyword, source])
                    checks.members.patternProperties.append((pattern, node))
                }
                checks.hasMemberRules = true
            case "additionalProperties":
                checks.members.additionalProperties = try compileSchema(value, at: tokens + [keyword])
                checks.hasMemberRules = true
            case "required": checks.required = .required(try reader.uniqueStrings())
            case "minProperties": checks.minProperties = .minProperties(try reader.count())
            case "maxProperties": checks.maxProperties = .maxProperties(try reader.count())
            case "prefixItems":
                let schemas = try reader.nonEmptyArray()
                for (position, subschema) in schemas.enumerated() {
                    checks.prefixItems.append(
                        try compileSchema(subschema, at: tokens + [keyword, String(position)]))
                }
                checks.hasItemRules = true
            case "items":
                if case .array = value {
                    throw reader.invalid(
                        "must be a schema in draft 2020-12 (an array of schemas is now \"prefixItems\")")
                }
                checks.items = try compileSchema(value, at: tokens + [keyword])
                checks.hasItemRules = true
            case "minItems": checks.minItems = .minItems(try reader.count())
            case "maxItems": checks.maxItems = .maxItems(try reader.count())
            case "uniqueItems": checks.uniqueItems = try reader.bool() ? .uniqueItems : nil
            case "allOf": checks.allOf = .allOf(try compileList(reader, at: tokens))
            case "anyOf": checks.anyOf = .anyOf(try compileList(reader, at: tokens))
            case "oneOf": checks.oneOf = .oneOf(try compileList(reader, at: tokens))
            case "not": checks.not = .not(try compileSchema(value, at: tokens + [keyword]))
            case "$ref": checks.reference = .reference(try compileReference(reader))
            case "$defs":
                for (name, subschema) in try reader.object().members {
                    _ = try compileSchema(subschema, at: tokens + [keyword, name])
                }
            case "$schema":
                let dialect = try reader.string()
                guard tokens.isEmpty else {
                    throw reader.unsupported("\"$schema\" is only supported at the root")
                }
                guard Self.supportedDialects.contains(dialect) else {
                    throw reader.invalid(
                        "names \(JSONString.quoted(dialect)); only draft 2020-12 is supported")
                }
            case "$id":
                _ = try reader.string()
                guard tokens.isEmpty else {
                    throw reader.unsupported(
                        "\"$id\" in a subschema changes the base URI for references, which is not supported")
                }
            case _ where Self.annotationKeywords.contains(keyword) || keyword.hasPrefix("x-"):
                continue
            default:
                throw reader.unsupported(
                    Self.knownUnsupportedKeywords.contains(keyword)
                        ? "JSONKit refuses schemas it cannot enforce completely"
                        : "this is not a draft 2020-12 keyword JSONKit knows (prefix vendor extensions with \"x-\")"
                )
            }
        }
        return checks.ordered
    }

    private mutating func compileList(_ reader: KeywordReader, at tokens: [String]) throws(JSONSchemaError)
        -> [Int]
    {
        var nodes: [Int] = []
        for (position, subschema) in try reader.nonEmptyArray().enumerated() {
            nodes.append(try compileSchema(subschema, at: tokens + [reader.keyword, String(position)]))
        }
        return nodes
    }

    /// Resolves a local pointer `$ref` and compiles its target; anything else is refused.
    private mutating func compileReference(_ reader: KeywordReader) throws(JSONSchemaError) -> Int {
        let reference = try reader.string()
        guard let targetTokens = JSONPointer.tokens(ofFragmentReference: reference) else {
            let why =
                reference.hasPrefix("#")
                ? "plain-name fragments (anchors) are not supported; use a JSON pointer like \"#/$defs/name\""
                : "only local JSON pointer references (\"#\", \"#/$defs/name\") are supported, not remote or $id-relative ones"
            throw JSONSchemaError(
                .unresolvableReference, keyword: "$ref", at: reader.location,
                message: "unsupported $ref \(JSONString.quoted(reference)) at \(reader.location): \(why)")
        }
        guard let target = JSONPointer.resolve(targetTokens, in: document) else {
            throw JSONSchemaError(
                .unresolvableReference, keyword: "$ref", at: reader.location,
                message:
                    "$ref \(JSONString.quoted(reference)) at \(reader.location) points at nothing in this schema"
            )
        }
        return try compileSchema(target, at: targetTokens)
    }
}

/// The checks of one schema object, gathered by keyword and then emitted in reporting order.
private struct KeywordChecks {
    var type, constant, enumeration, minimum, exclusiveMinimum, maximum, exclusiveMaximum: SchemaCheck?
    var minLength, maxLength, pattern, required, minProperties, maxProperties: SchemaCheck?
    var minItems, maxItems, uniqueItems, reference, allOf, anyOf, oneOf, not: SchemaCheck?
    var members = ObjectMemberRules()
    var hasMemberRules = false
    var prefixItems: [Int] = []
    var items: Int? = nil
    var hasItemRules = false

    var ordered: [SchemaCheck] {
        let memberCheck: SchemaCheck? = hasMemberRules ? .objectMembers(members) : nil
        let itemCheck: SchemaCheck? = hasItemRules ? .arrayItems(prefix: prefixItems, rest: items) : nil
        let all: [SchemaCheck?] = [
            type, constant, enumeration, minimum, exclusiveMinimum, maximum, exclusiveMaximum, minLength,
            maxLength, pattern, memberCheck, required, minProperties, maxProperties, itemCheck, minItems,
            maxItems, uniqueItems, reference, allOf, anyOf, oneOf, not,
        ]
        return all.compactMap { $0 }
    }
}
