/// Runs compiled ``SchemaNode``s against an instance, either collecting violations with
/// messages or answering only valid/invalid as fast as possible.
struct SchemaEvaluator {
    let nodes: [SchemaNode]
    /// When false, stop at the first failure and build no messages.
    var collecting: Bool
    let limit: Int
    var violations: [JSONSchemaViolation] = []
    /// The instance location currently being evaluated.
    var path: [JSONPathComponent] = []

    init(nodes: [SchemaNode], collecting: Bool, limit: Int) {
        self.nodes = nodes
        self.collecting = collecting
        self.limit = limit
    }

    /// Whether to keep evaluating after a failure.
    private var keepGoing: Bool { collecting && violations.count < limit }

    mutating func evaluate(_ nodeIndex: Int, _ instance: JSONValue) -> Bool {
        let node = nodes[nodeIndex]
        if node.rejectsEverything {
            if collecting {
                let message = notAllowedMessage()
                report("false", message)
            }
            return false
        }
        var valid = true
        for check in node.checks where !evaluate(check, instance) {
            valid = false
            if !keepGoing { return false }
        }
        return valid
    }

    private mutating func evaluate(_ check: SchemaCheck, _ instance: JSONValue) -> Bool {
        switch (check, instance) {
        case (.type(let types, let names), _):
            if types.admits(instance) { return true }
            return fail("type", "expected \(names), got \(ViolationWording.describe(instance))")
        case (.constant(let expected), _):
            if instance == expected { return true }
            return fail(
                "const",
                "must be exactly \(ViolationWording.brief(expected)), got \(ViolationWording.brief(instance))"
            )
        case (.enumeration(let allowed), _):
            if allowed.contains(instance) { return true }
            let options =
                allowed.prefix(8).map(ViolationWording.brief).joined(separator: ", ")
                + (allowed.count > 8 ? ", ..." : "")
            return fail("enum", "must be one of \(options); got \(ViolationWording.brief(instance))")
        case (.minimum(let bound, let exclusive), .number(let number)):
            if exclusive ? number > bound : number >= bound { return true }
            let keyword = exclusive ? "exclusiveMinimum" : "minimum"
            return fail(keyword, "must be \(exclusive ? ">" : ">=") \(bound.literal), got \(number.literal)")
        case (.maximum(let bound, let exclusive), .number(let number)):
            if exclusive ? number < bound : number <= bound { return true }
            let keyword = exclusive ? "exclusiveMaximum" : "maximum"
            return fail(keyword, "must be \(exclusive ? "<" : "<=") \(bound.literal), got \(number.literal)")
        case (.minLength(let minimum), .string(let text)):
            if text.utf8.count >= minimum * 4 { return true }
            let length = ViolationWording.codePointCount(text)
            if length >= minimum { return true }
            return fail("minLength", "must be at least \(minimum) characters long, got \(length)")
        case (.maxLength(let maximum), .string(let text)):
            if text.utf8.count <= maximum { return true }
            let length = ViolationWording.codePointCount(text)
            if length <= maximum { return true }
            return fail("maxLength", "must be at most \(maximum) characters long, got \(length)")
        case (.pattern(let pattern), .string(let text)):
            if pattern.matches(text) { return true }
            return fail(
                "pattern", "\(ViolationWording.brief(instance)) does not match pattern \(pattern.source)")
        case (.objectMembers(let rules), .object(let object)):
            return evaluateMembers(rules, object)
        case (.required(let names), .object(let object)):
            return evaluateRequired(names, object)
        case (.minProperties(let minimum), .object(let object)):
            if object.count >= minimum { return true }
            return fail(
                "minProperties",
                "must have at least \(minimum) \(ViolationWording.plural(minimum, "field")), got \(object.count)"
            )
        case (.maxProperties(let maximum), .object(let object)):
            if object.count <= maximum { return true }
            return fail(
                "maxProperties",
                "must have at most \(maximum) \(ViolationWording.plural(maximum, "field")), got \(object.count)"
            )
        case (.arrayItems(let prefix, let rest), .array(let elements)):
            return evaluateItems(prefix: prefix, rest: rest, elements)
        case (.minItems(let minimum), .array(let elements)):
            if elements.count >= minimum { return true }
            return fail(
                "minItems",
                "must have at least \(minimum) \(ViolationWording.plural(minimum, "item")), got \(elements.count)"
            )
        case (.maxItems(let maximum), .array(let elements)):
            if elements.count <= maximum { return true }
            return fail(
                "maxItems",
                "must have at most \(maximum) \(ViolationWording.plural(maximum, "item")), got \(elements.count)"
            )
        case (.uniqueItems, .array(let elements)):
            return evaluateUniqueness(elements)
        case (.reference(let target), _):
            return evaluate(target, instance)
        case (.allOf(let branches), _):
            var valid = true
            for branch in branches where !evaluate(branch, instance) {
                valid = false
                if !keepGoing { return false }
            }
            return valid
        case (.anyOf(let branches), _):
            for branch in branches where quietlyValid(branch, instance) { return true }
            return failAlternatives("anyOf", branches, instance)
        case (.oneOf(let branches), _):
            let matching = branches.indices.filter { quietlyValid(branches[$0], instance) }
            if matching.count == 1 { return true }
            if matching.isEmpty { return failAlternatives("oneOf", branches, instance) }
            let which = matching.map { String($0 + 1) }.joined(separator: ", ")
            return fail(
                "oneOf",
                "must match exactly one of \(branches.count) alternatives, but matches \(matching.count) (\(which))"
            )
        case (.not(let negated), _):
            if !quietlyValid(negated, instance) { return true }
            return fail("not", "must not match the schema given in \"not\"")
        default:
            return true  // The keyword does not apply to this instance type.
        }
    }

    private mutating func evaluateMembers(_ rules: ObjectMemberRules, _ object: JSONObject) -> Bool {
        var valid = true
        for (key, value) in object.members {
            var matched = false
            path.append(.key(key))
            defer { path.removeLast() }
            if let node = rules.properties[CodePointKey(key)] {
                matched = true
                if !evaluate(node, value) {
                    valid = false
                    if !keepGoing { return false }
                }
            }
            for (pattern, node) in rules.patternProperties where pattern.matches(key) {
                matched = true
                if !evaluate(node, value) {
                    valid = false
                    if !keepGoing { return false }
                }
            }
            if !matched, let additional = rules.additionalProperties {
                let accepted =
                    nodes[additional].rejectsEverything
                    ? fail("additionalProperties", "field \(JSONString.quoted(key)) is not allowed here")
                    : evaluate(additional, value)
                if !accepted {
                    valid = false
                    if !keepGoing { return false }
                }
            }
        }
        return valid
    }

    private mutating func evaluateRequired(_ names: [String], _ object: JSONObject) -> Bool {
        var valid = true
        for name in names where object.index(ofKey: name) == nil {
            valid = false
            guard collecting else { return false }
            path.append(.key(name))
            report("required", "missing required field \(JSONString.quoted(name))")
            path.removeLast()
            if !keepGoing { return false }
        }
        return valid
    }

    private mutating func evaluateItems(prefix: [Int], rest: Int?, _ elements: [JSONValue]) -> Bool {
        var valid = true
        for (index, element) in elements.enumerated() {
            let node: Int
            if index < prefix.count {
                node = prefix[index]
            } else if let rest {
                node = rest
            } else {
                break
            }
            path.append(.index(index))
            defer { path.removeLast() }
            let accepted =
                index >= prefix.count && nodes[node].rejectsEverything
                ? fail(
                    "items",
                    "unexpected item: at most \(prefix.count) \(ViolationWording.plural(prefix.count, "item")) allowed"
                )
                : evaluate(node, element)
            if !accepted {
                valid = false
                if !keepGoing { return false }
            }
        }
        return valid
    }

    /// Pairwise comparison: O(n²), fine for the short arrays event payloads carry.
    private mutating func evaluateUniqueness(_ elements: [JSONValue]) -> Bool {
        for later in elements.indices.dropFirst() {
            for earlier in 0..<later where elements[earlier] == elements[later] {
                return fail(
                    "uniqueItems", "items at index \(earlier) and \(later) are equal; items must be unique")
            }
        }
        return true
    }
}
