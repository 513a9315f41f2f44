/// One compiled (sub)schema: the checks to run, in reporting order.
///
/// Nodes live in one array owned by ``JSONSchema`` and refer to each other by index, which is
/// how `$ref` cycles (recursive schemas) are represented without reference types.
///
/// Sendable: immutable values only.
struct SchemaNode: Sendable {
    /// Where this node sits in the schema document, as a JSON pointer fragment.
    var location: String
    /// `true` for the boolean schema `false`, which rejects every instance.
    var rejectsEverything = false
    /// The checks, ordered so violations come out roughly in document order.
    var checks: [SchemaCheck] = []
}

/// One compiled keyword (or group of keywords evaluated together, such as the object members).
enum SchemaCheck: Sendable {
    /// The accepted types, and their names as the schema lists them (for messages).
    case type(JSONTypeSet, names: String)
    case constant(JSONValue)
    case enumeration([JSONValue])
    case minimum(JSONNumber, exclusive: Bool)
    case maximum(JSONNumber, exclusive: Bool)
    case minLength(Int)
    case maxLength(Int)
    case pattern(SchemaPattern)
    case objectMembers(ObjectMemberRules)
    case required([String])
    case minProperties(Int)
    case maxProperties(Int)
    case arrayItems(prefix: [Int], rest: Int?)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    case reference(Int)
    case allOf([Int])
    case anyOf([Int])
    case oneOf([Int])
    case not(Int)

    /// The nodes this check evaluates against the same instance (not a child of it); a cycle
    /// made only of these edges would recurse forever.
    var inPlaceTargets: [Int] {
        switch self {
        case .reference(let node), .not(let node): return [node]
        case .allOf(let nodes), .anyOf(let nodes), .oneOf(let nodes): return nodes
        default: return []
        }
    }
}

/// `properties`, `patternProperties` and `additionalProperties`, which must be evaluated
/// together because `additionalProperties` applies only to members the other two did not match.
struct ObjectMemberRules: Sendable {
    var properties: [CodePointKey: Int] = [:]
    var patternProperties: [(pattern: SchemaPattern, node: Int)] = []
    var additionalProperties: Int? = nil
}

/// The set of JSON types named by a `type` keyword.
struct JSONTypeSet: OptionSet, Sendable {
    let rawValue: UInt8

    static let null = JSONTypeSet(rawValue: 1 << 0)
    static let boolean = JSONTypeSet(rawValue: 1 << 1)
    static let object = JSONTypeSet(rawValue: 1 << 2)
    static let array = JSONTypeSet(rawValue: 1 << 3)
    static let number = JSONTypeSet(rawValue: 1 << 4)
    static let string = JSONTypeSet(rawValue: 1 << 5)
    /// A number with no fractional part (2020-12: `1.0` counts).
    static let integer = JSONTypeSet(rawValue: 1 << 6)

    /// Every type name in the order messages list them.
    static let names: [(name: String, type: JSONTypeSet)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array),
        ("number", .number), ("integer", .integer), ("string", .string),
    ]

    /// Whether `value` has one of the types in the set.
    func admits(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .object: return contains(.object)
        case .array: return contains(.array)
        case .string: return contains(.string)
        case .number(let number):
            return contains(.number) || (contains(.integer) && number.isInteger)
        }
    }
}
