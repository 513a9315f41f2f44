import JSONKit

extension RecordedEvent {
    /// A short line saying what the payload holds, for timelines: amounts with currency, quantities, SKUs,
    /// ERP ids, reasons — e.g. `3 lines · 592.18 EUR`, `59.20 EUR`, `qty 2 · order SO-100001`.
    public var payloadSummary: String {
        let object: JSONObject
        do {
            guard case .object(let parsed) = try JSONParser.parse(content.payload).value else { return "" }
            object = parsed
        } catch {
            return "(payload unreadable: \(error))"
        }
        func text(_ key: String) -> String? {
            switch object[key] {
            case .string(let value): value
            case .number(let number): number.literal
            default: nil
            }
        }
        var parts: [String] = []
        if case .array(let lines) = object["lines"] {
            parts.append(lines.count == 1 ? "1 line" : "\(lines.count) lines")
        }
        let currency = text("currency").map { " " + $0 } ?? ""
        if let total = text("grandTotal") {
            parts.append(total + currency)
        } else if let amount = text("amount") {
            parts.append(amount + currency)
        }
        if let quantity = text("quantity") { parts.append("qty \(quantity)") }
        if let delta = text("delta") { parts.append("delta \(delta)") }
        if let onHand = text("onHand") { parts.append("on hand \(onHand)") }
        if content.domain != .order, let order = text("orderId") { parts.append("order \(order)") }
        if let erp = text("erpOrderId") { parts.append("ERP \(erp)") }
        if let email = text("email") { parts.append(email) }
        if let target = text("intoCustomerId") { parts.append("into \(target)") }
        if let warehouse = text("warehouse") { parts.append(warehouse) }
        if let consumer = text("consumer") { parts.append("consumer \(consumer)") }
        if let position = text("position") ?? text("fromPosition") { parts.append("position \(position)") }
        if let outcome = text("outcome") { parts.append(outcome) }
        if let reason = text("reason") { parts.append("\"\(reason)\"") }
        return parts.joined(separator: " · ")
    }
}
