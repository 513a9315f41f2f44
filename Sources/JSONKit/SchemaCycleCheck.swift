/// Refuses schemas whose `$ref`s loop without consuming the instance, e.g. `{"$ref": "#"}`.
///
/// Such a schema would make validation recurse until the stack overflows; finding it once at
/// load time keeps the validator free of per-call recursion guards.
enum SchemaCycleCheck {
    static func ensureTerminates(_ nodes: [SchemaNode]) throws(JSONSchemaError) {
        enum Mark { case unvisited, inProgress, done }
        var marks = [Mark](repeating: .unvisited, count: nodes.count)
        for start in nodes.indices where marks[start] == .unvisited {
            // Iterative depth-first search: (node, next target position) pairs.
            var stack: [(node: Int, targets: [Int], next: Int)] = [(start, targets(of: nodes[start]), 0)]
            marks[start] = .inProgress
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].next == stack[top].targets.count {
                    marks[stack[top].node] = .done
                    stack.removeLast()
                    continue
                }
                let target = stack[top].targets[stack[top].next]
                stack[top].next += 1
                switch marks[target] {
                case .inProgress:
                    let location = nodes[target].location
                    throw JSONSchemaError(
                        .referenceCycle, keyword: "$ref", at: location,
                        message:
                            "schema at \(location) refers back to itself (through $ref/allOf/anyOf/oneOf/not) "
                            + "without descending into the instance, so validation would never end")
                case .unvisited:
                    marks[target] = .inProgress
                    stack.append((target, targets(of: nodes[target]), 0))
                case .done:
                    continue
                }
            }
        }
    }

    private static func targets(of node: SchemaNode) -> [Int] {
        node.checks.flatMap(\.inPlaceTargets)
    }
}
