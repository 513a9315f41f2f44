import JSONKit

/// An invoice as the invoices projection holds it.
///
/// Sendable: plain values.
struct InvoiceState: EntityState {
    var invoiceId: String
    var orderId: String
    var erpOrderId: String?
    var currency: String
    var lines: [OrderLine]
    var netTotal: Money
    var taxTotal: Money
    var grandTotal: Money
    /// posted, paid or credited.
    var status = "posted"
    var paid = Money.zero
    var credited = Money.zero
    var creditNotes: [String] = []
    var traceId: String
    var postedAt: Timestamp
    var firstPosition: UInt64
    var lastPosition: UInt64

    init(posting event: ProjectionEvent, orderId: String, currency: String, totals: (Money, Money, Money)) {
        invoiceId = event.entityId
        self.orderId = orderId
        erpOrderId = event.string("erpOrderId")
        self.currency = currency
        lines = OrderLine.lines(of: event) ?? []
        (netTotal, taxTotal, grandTotal) = totals
        traceId = event.traceId
        postedAt = event.occurredAt
        firstPosition = event.position
        lastPosition = event.position
    }

    init(decoding reader: inout StateReader) throws {
        invoiceId = try reader.string()
        orderId = try reader.string()
        erpOrderId = try reader.optionalString()
        currency = try reader.string()
        lines = try OrderLine.decode(from: &reader)
        netTotal = try reader.money()
        taxTotal = try reader.money()
        grandTotal = try reader.money()
        status = try reader.string()
        paid = try reader.money()
        credited = try reader.money()
        creditNotes = try reader.strings()
        traceId = try reader.string()
        postedAt = try reader.timestamp()
        firstPosition = try reader.uint64()
        lastPosition = try reader.uint64()
    }

    func encode(into writer: inout StateWriter) {
        writer.write(invoiceId)
        writer.write(orderId)
        writer.write(erpOrderId)
        writer.write(currency)
        OrderLine.encode(lines, into: &writer)
        for amount in [netTotal, taxTotal, grandTotal] { writer.write(amount) }
        writer.write(status)
        writer.write(paid)
        writer.write(credited)
        writer.write(creditNotes)
        writer.write(traceId)
        writer.write(postedAt)
        writer.write(firstPosition)
        writer.write(lastPosition)
    }

    var fields: JSONObject {
        var object = JSONObject()
        object.set("invoiceId", invoiceId)
        object.set("orderId", orderId)
        object.set("erpOrderId", erpOrderId)
        object.set("status", status)
        object.set("currency", currency)
        object["lines"] = .array(lines.map(\.json))
        object.set("netTotal", netTotal)
        object.set("taxTotal", taxTotal)
        object.set("grandTotal", grandTotal)
        object.set("paid", paid)
        object.set("credited", credited)
        object.set("creditNotes", creditNotes)
        object.set("postedAt", postedAt)
        object.set("traceId", traceId)
        return object
    }
}

/// The invoices projection: each invoice's own events.
///
/// Rules: an invoice is posted once, before it is paid or credited; payments and credit notes are in its
/// currency; credit notes may not add up to more than its grand total.
enum InvoiceFold: DomainFold {
    typealias State = InvoiceState
    static let domain = Domain.invoice

    static func apply(_ event: ProjectionEvent, to state: inout InvoiceState?) -> String? {
        if event.type == "invoice.posted" {
            if let state { return "the invoice was already posted at position \(state.firstPosition)" }
            guard let orderId = event.string("orderId"), let currency = event.string("currency"),
                let net = event.money("netTotal"), let tax = event.money("taxTotal"),
                let grand = event.money("grandTotal")
            else { return "invoice.posted without orderId, currency and decimal totals" }
            state = InvoiceState(
                posting: event, orderId: orderId, currency: currency, totals: (net, tax, grand))
            return nil
        }
        // Taken out, not copied (see OrderFold.apply): every rule is checked before the invoice changes.
        guard var invoice = state.take() else { return "\(event.type) for an invoice that was never posted" }
        if let problem = apply(event, to: &invoice) {
            state = invoice
            return problem
        }
        state = invoice
        return nil
    }

    private static func apply(_ event: ProjectionEvent, to invoice: inout InvoiceState) -> String? {
        guard let amount = event.money("amount") else { return "\(event.type) without a decimal amount" }
        if let currency = event.string("currency"), currency != invoice.currency {
            return "in \(currency), but the invoice is in \(invoice.currency)"
        }
        switch event.verb {
        case "paid":
            invoice.paid += amount
            if invoice.status == "posted" { invoice.status = "paid" }
        case "credited":
            guard invoice.credited + amount <= invoice.grandTotal else {
                return
                    "credit note of \(amount) takes the credits past the grand total \(invoice.grandTotal) "
                    + "(\(invoice.credited) already credited)"
            }
            invoice.credited += amount
            invoice.status = "credited"
            if let creditNoteId = event.string("creditNoteId") { invoice.creditNotes.append(creditNoteId) }
        default:
            return nil
        }
        invoice.lastPosition = event.position
        return nil
    }
}
