import JSONKit

/// One line of an order or invoice as the events state it.
///
/// Sendable: plain values.
struct OrderLine: Sendable, Equatable {
    var sku: String
    var quantity: Int64
    var unitPrice: Money?
    var taxRate: String?
    var lineTotal: Money?

    /// The lines of an event's `lines` array; nil when it is absent, empty lists stay empty.
    static func lines(of event: ProjectionEvent) -> [OrderLine]? {
        guard let elements = event.member("lines")?.arrayValue else { return nil }
        return elements.compactMap { element in
            guard let sku = element["sku"]?.stringValue else { return nil }
            return OrderLine(
                sku: sku, quantity: element["quantity"]?.numberValue?.int64Value ?? 0,
                unitPrice: element["unitPrice"]?.stringValue.flatMap { Money($0) },
                taxRate: element["taxRate"]?.stringValue,
                lineTotal: element["lineTotal"]?.stringValue.flatMap { Money($0) })
        }
    }

    static func encode(_ lines: [OrderLine], into writer: inout StateWriter) {
        writer.write(count: lines.count)
        for line in lines {
            writer.write(line.sku)
            writer.write(line.quantity)
            writer.write(line.unitPrice.map(\.description))
            writer.write(line.taxRate)
            writer.write(line.lineTotal.map(\.description))
        }
    }

    static func decode(from reader: inout StateReader) throws -> [OrderLine] {
        try (0..<reader.count()).map { _ in
            OrderLine(
                sku: try reader.string(), quantity: try reader.int64(),
                unitPrice: try reader.optionalString().flatMap { Money($0) },
                taxRate: try reader.optionalString(),
                lineTotal: try reader.optionalString().flatMap { Money($0) })
        }
    }

    /// The line as a JSON object, for display.
    var json: JSONValue {
        var object = JSONObject()
        object["sku"] = .string(sku)
        object["quantity"] = .number(JSONNumber(quantity))
        if let unitPrice { object["unitPrice"] = .string(unitPrice.description) }
        if let taxRate { object["taxRate"] = .string(taxRate) }
        if let lineTotal { object["lineTotal"] = .string(lineTotal.description) }
        return .object(object)
    }
}

extension JSONObject {
    /// Sets `key` to a string, or leaves it out when nil.
    mutating func set(_ key: String, _ value: String?) {
        if let value { self[key] = .string(value) }
    }

    /// Sets `key` to a decimal string, or leaves it out when nil.
    mutating func set(_ key: String, _ value: Money?) {
        if let value { self[key] = .string(value.description) }
    }

    /// Sets `key` to an RFC 3339 time, or leaves it out when nil.
    mutating func set(_ key: String, _ value: Timestamp?) {
        if let value { self[key] = .string(value.rfc3339) }
    }

    /// Sets `key` to an integer.
    mutating func set(_ key: String, _ value: Int64) { self[key] = .number(JSONNumber(value)) }

    /// Sets `key` to an array of strings.
    mutating func set(_ key: String, _ values: [String]) { self[key] = .array(values.map { .string($0) }) }
}
