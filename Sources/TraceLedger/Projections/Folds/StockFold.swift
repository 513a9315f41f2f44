import JSONKit

/// One SKU in one warehouse (`SKU-00042@WH-BER`) as the stock projection holds it.
///
/// Sendable: plain values.
struct StockState: EntityState {
    var stockId: String
    var onHand: Int64 = 0
    var reserved: Int64 = 0
    /// The order whose reservation took `available` below zero, and that event's position; cleared once
    /// available is back at zero or above.
    var oversoldBy: String?
    var oversoldPosition: UInt64?
    var lastCountedAt: Timestamp?
    var traceId: String
    var firstPosition: UInt64
    var lastPosition: UInt64

    /// On hand minus reserved: what can still be promised; negative means oversold.
    var available: Int64 { onHand - reserved }
    var sku: String { String(stockId.prefix { $0 != "@" }) }
    var warehouse: String { String(stockId.drop { $0 != "@" }.dropFirst()) }

    init(stockId: String, traceId: String, position: UInt64) {
        self.stockId = stockId
        self.traceId = traceId
        self.firstPosition = position
        self.lastPosition = position
    }

    init(decoding reader: inout StateReader) throws {
        stockId = try reader.string()
        onHand = try reader.int64()
        reserved = try reader.int64()
        oversoldBy = try reader.optionalString()
        oversoldPosition = try reader.bool() ? try reader.uint64() : nil
        lastCountedAt = try reader.optionalTimestamp()
        traceId = try reader.string()
        firstPosition = try reader.uint64()
        lastPosition = try reader.uint64()
    }

    func encode(into writer: inout StateWriter) {
        writer.write(stockId)
        writer.write(onHand)
        writer.write(reserved)
        writer.write(oversoldBy)
        writer.write(oversoldPosition != nil)
        if let oversoldPosition { writer.write(oversoldPosition) }
        writer.write(lastCountedAt)
        writer.write(traceId)
        writer.write(firstPosition)
        writer.write(lastPosition)
    }

    var fields: JSONObject {
        var object = JSONObject()
        object.set("sku", sku)
        object.set("warehouse", warehouse)
        object.set("onHand", onHand)
        object.set("reserved", reserved)
        object.set("available", available)
        object.set("oversoldBy", oversoldBy)
        object.set("lastCountedAt", lastCountedAt)
        return object
    }
}

/// The stock projection: received and adjusted units and counts move on hand; reservations, releases and
/// shipments move reserved (a shipment also takes the units off hand).
///
/// Rules: a release or shipment may not exceed what is reserved. Available below zero is not an anomaly
/// but a finding of `reconcile` (oversold), which names the order that took it below.
enum StockFold: DomainFold {
    typealias State = StockState
    static let domain = Domain.stock

    static func apply(_ event: ProjectionEvent, to state: inout StockState?) -> String? {
        // Taken out, not copied (see OrderFold.apply): every rule is checked before the stock changes, so a
        // stock that breaks one goes back as it was, and a new one is not kept.
        switch event.verb {
        case "received", "reserved", "released", "shipped", "adjusted", "counted": break
        default: return nil  // another type changes nothing, and makes no stock
        }
        let known = state != nil
        var stock =
            state.take()
            ?? StockState(stockId: event.entityId, traceId: event.traceId, position: event.position)
        if let problem = apply(event, to: &stock) {
            if known { state = stock }
            return problem
        }
        state = stock
        return nil
    }

    private static func apply(_ event: ProjectionEvent, to stock: inout StockState) -> String? {
        let wasAvailable = stock.available
        switch event.verb {
        case "received", "reserved", "released", "shipped":
            guard let quantity = event.integer("quantity"), quantity > 0 else {
                return "\(event.type) without a positive quantity"
            }
            switch event.verb {
            case "received": stock.onHand += quantity
            case "reserved": stock.reserved += quantity
            default:
                guard quantity <= stock.reserved else {
                    return "\(event.verb) \(quantity) units, but only \(stock.reserved) are reserved"
                }
                stock.reserved -= quantity
                if event.verb == "shipped" { stock.onHand -= quantity }
            }
        case "adjusted":
            guard let delta = event.integer("delta") else { return "stock.adjusted without an integer delta" }
            stock.onHand += delta
        case "counted":
            guard let counted = event.integer("onHand"), counted >= 0 else {
                return "stock.counted without a count of zero or more"
            }
            stock.onHand = counted
            stock.lastCountedAt = event.occurredAt
        default:
            return nil
        }
        if stock.available >= 0 {
            stock.oversoldBy = nil
            stock.oversoldPosition = nil
        } else if wasAvailable >= 0 || stock.oversoldPosition == nil {
            stock.oversoldBy = event.string("orderId")
            stock.oversoldPosition = event.position
        }
        stock.lastPosition = event.position
        return nil
    }
}
