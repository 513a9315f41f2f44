import JSONKit
import TraceLedger

/// Prints an entity's state as a two-column table, and a diff as a table of changed fields.
enum StatePrinter {
    static func print(_ snapshot: EntitySnapshot, heading: String) {
        Swift.print(heading)
        var table = TextTable("FIELD", "VALUE")
        for member in snapshot.fields.members { table.add(member.key, text(member.value)) }
        table.add("lastPosition", String(snapshot.lastPosition))
        Swift.print(table.rendered())
    }

    static func printDiff(_ changes: [FieldChange], heading: String) {
        Swift.print(heading)
        guard !changes.isEmpty else {
            Swift.print("no field changed")
            return
        }
        var table = TextTable("FIELD", "FROM", "TO", "CHANGED BY")
        for change in changes {
            table.add(
                change.field, change.from.map(text) ?? "—", change.to.map(text) ?? "—",
                change.changedBy.map { "\($0.position) \($0.type)" }.joined(separator: ", "))
        }
        Swift.print(table.rendered())
    }

    /// A field value in a table cell: strings bare, lists comma-separated, order lines as `2× SKU @ price`.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): return string
        case .array(let elements): return elements.isEmpty ? "—" : elements.map(text).joined(separator: ", ")
        case .object(let object):
            if let sku = object["sku"]?.stringValue, let quantity = object["quantity"]?.numberValue {
                let price = object["unitPrice"]?.stringValue.map { " @ \($0)" } ?? ""
                return "\(quantity)× \(sku)\(price)"
            }
            return value.serialized()
        default: return value.serialized()
        }
    }
}
