/// Violation reporting and message wording for ``SchemaEvaluator``.
extension SchemaEvaluator {
    /// Records a violation at the current path (when collecting) and returns `false`.
    mutating func fail(_ keyword: String, _ message: @autoclosure () -> String) -> Bool {
        report(keyword, message())
        return false
    }

    mutating func report(_ keyword: String, _ message: @autoclosure () -> String) {
        guard collecting, violations.count < limit else { return }
        violations.append(JSONSchemaViolation(path: path, keyword: keyword, message: message()))
    }

    /// Evaluates without recording anything, e.g. one `anyOf` branch.
    mutating func quietlyValid(_ node: Int, _ instance: JSONValue) -> Bool {
        let wasCollecting = collecting
        collecting = false
        defer { collecting = wasCollecting }
        return evaluate(node, instance)
    }

    /// Reports that no `anyOf`/`oneOf` branch matched, quoting each branch's first problem.
    mutating func failAlternatives(_ keyword: String, _ branches: [Int], _ instance: JSONValue) -> Bool {
        guard collecting else { return false }
        var reasons: [String] = []
        for (position, branch) in branches.enumerated().prefix(5) {
            var probe = SchemaEvaluator(nodes: nodes, collecting: true, limit: 1)
            probe.path = path
            _ = probe.evaluate(branch, instance)
            guard let first = probe.violations.first else { continue }
            let relative = first.path.dropFirst(path.count)
            let location = relative.isEmpty ? "" : "at \(relative.pathDescription): "
            reasons.append("\(position + 1): \(location)\(first.message)")
        }
        let more = branches.count > 5 ? "; ..." : ""
        return fail(
            keyword,
            "matches none of \(branches.count) alternatives (\(reasons.joined(separator: "; "))\(more))")
    }

    /// Message for the `false` schema, naming the member or item it rejected.
    func notAllowedMessage() -> String {
        switch path.last {
        case .key(let key): return "field \(JSONString.quoted(key)) is not allowed here"
        case .index(let index): return "item at index \(index) is not allowed here"
        case nil: return "no value is allowed here"
        }
    }
}

/// How values and counts are worded in violation messages.
enum ViolationWording {
    /// A type name plus a short rendering for scalars, e.g. `string "12"` or `number 1.5`.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool, .number, .string: return "\(value.typeName) \(brief(value))"
        case .array, .object: return value.typeName
        }
    }

    /// A short JSON rendering for messages, truncated past 60 bytes.
    static func brief(_ value: JSONValue) -> String {
        let text = value.serialized()
        guard text.utf8.count > 60 else { return text }
        return String(text.prefix(57)) + "..."
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        count == 1 ? noun : noun + "s"
    }

    /// Unicode code points, counted from UTF-8 without decoding (skip continuation bytes).
    static func codePointCount(_ text: String) -> Int {
        var count = 0
        for byte in text.utf8 where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }
}
