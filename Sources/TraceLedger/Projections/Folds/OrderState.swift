import JSONKit

/// Where an order is in its life: created → accepted → fulfilled, or cancelled / rejected on the way, and
/// refunded after a refund.
enum OrderStatus: String, Sendable {
    case created, accepted, fulfilled, cancelled, refunded, rejected

    /// No further status change is expected (the SLA rule skips these).
    var isFinal: Bool { self != .created && self != .accepted }
}

/// An order as the orders projection holds it: its own events plus the payments and invoices that name it.
///
/// Sendable: plain values.
struct OrderState: EntityState {
    var orderId: String
    var status: OrderStatus = .created
    var customerId: String?
    var currency: String?
    var lines: [OrderLine] = []
    var netTotal: Money?
    var taxTotal: Money?
    var grandTotal: Money?
    var erpOrderId: String?
    /// Why it was cancelled or rejected.
    var reason: String?
    var payments: [String] = []
    var authorized = Money.zero
    var captured = Money.zero
    var refunded = Money.zero
    /// Credit notes issued against the order's invoices.
    var credited = Money.zero
    var invoices: [String] = []
    var creditNotes: [String] = []
    /// The trace of the order.created event.
    var traceId: String
    var createdAt: Timestamp
    var createdPosition: UInt64
    /// occurredAt and position of the last status change.
    var statusChangedAt: Timestamp
    var statusPosition: UInt64
    /// occurredAt of the first capture.
    var capturedAt: Timestamp?
    var capturePositions: [UInt64] = []
    /// occurredAt of the last refund.
    var refundedAt: Timestamp?
    var refundPositions: [UInt64] = []
    var lastPosition: UInt64

    init(orderId: String, traceId: String, createdAt: Timestamp, position: UInt64) {
        self.orderId = orderId
        self.traceId = traceId
        self.createdAt = createdAt
        self.createdPosition = position
        self.statusChangedAt = createdAt
        self.statusPosition = position
        self.lastPosition = position
    }

    init(decoding reader: inout StateReader) throws {
        orderId = try reader.string()
        status = OrderStatus(rawValue: try reader.string()) ?? .created
        customerId = try reader.optionalString()
        currency = try reader.optionalString()
        lines = try OrderLine.decode(from: &reader)
        netTotal = try reader.bool() ? try reader.money() : nil
        taxTotal = try reader.bool() ? try reader.money() : nil
        grandTotal = try reader.bool() ? try reader.money() : nil
        erpOrderId = try reader.optionalString()
        reason = try reader.optionalString()
        payments = try reader.strings()
        authorized = try reader.money()
        captured = try reader.money()
        refunded = try reader.money()
        credited = try reader.money()
        invoices = try reader.strings()
        creditNotes = try reader.strings()
        traceId = try reader.string()
        createdAt = try reader.timestamp()
        createdPosition = try reader.uint64()
        statusChangedAt = try reader.timestamp()
        statusPosition = try reader.uint64()
        capturedAt = try reader.optionalTimestamp()
        capturePositions = try reader.positions()
        refundedAt = try reader.optionalTimestamp()
        refundPositions = try reader.positions()
        lastPosition = try reader.uint64()
    }

    func encode(into writer: inout StateWriter) {
        writer.write(orderId)
        writer.write(status.rawValue)
        writer.write(customerId)
        writer.write(currency)
        OrderLine.encode(lines, into: &writer)
        for total in [netTotal, taxTotal, grandTotal] {
            writer.write(total != nil)
            if let total { writer.write(total) }
        }
        writer.write(erpOrderId)
        writer.write(reason)
        writer.write(payments)
        for amount in [authorized, captured, refunded, credited] { writer.write(amount) }
        writer.write(invoices)
        writer.write(creditNotes)
        writer.write(traceId)
        writer.write(createdAt)
        writer.write(createdPosition)
        writer.write(statusChangedAt)
        writer.write(statusPosition)
        writer.write(capturedAt)
        writer.write(capturePositions)
        writer.write(refundedAt)
        writer.write(refundPositions)
        writer.write(lastPosition)
    }

    var fields: JSONObject {
        var object = JSONObject()
        object.set("orderId", orderId)
        object.set("status", status.rawValue)
        object.set("customerId", customerId)
        object.set("currency", currency)
        object["lines"] = .array(lines.map(\.json))
        object.set("netTotal", netTotal)
        object.set("taxTotal", taxTotal)
        object.set("grandTotal", grandTotal)
        object.set("erpOrderId", erpOrderId)
        object.set("reason", reason)
        object.set("payments", payments)
        object.set("authorized", authorized)
        object.set("captured", captured)
        object.set("refunded", refunded)
        object.set("credited", credited)
        object.set("invoices", invoices)
        object.set("creditNotes", creditNotes)
        object.set("traceId", traceId)
        object.set("createdAt", createdAt)
        object.set("statusChangedAt", statusChangedAt)
        return object
    }
}
