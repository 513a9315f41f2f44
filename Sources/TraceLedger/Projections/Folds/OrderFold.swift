/// The orders projection: an order's own events, and the payment and invoice events that name it by
/// `orderId` — so an order shows what was captured, refunded, invoiced and credited.
///
/// Rules (an event that breaks one is an anomaly and changes nothing):
/// - `order.*` other than `created` needs a created order; `created` twice is refused.
/// - accepted, rejected and cancelled need status created or accepted; fulfilled needs accepted.
/// - payments and invoices must name a known order, in its currency; a refund may not exceed what was
///   captured and not yet refunded.
enum OrderFold: DomainFold {
    typealias State = OrderState
    static let domain = Domain.order

    static func concerns(_ domain: Domain, _ type: String) -> Bool {
        domain == .order || domain == .payment || type == "invoice.posted" || type == "invoice.credited"
    }

    static func target(of event: ProjectionEvent, index: FoldIndex) throws -> String? {
        switch event.domain {
        case .order: return event.entityId
        case .payment: return event.string("orderId")
        case .invoice:
            if let orderId = event.string("orderId") { return orderId }
            return try index.value(ProjectionKey.make(ProjectionKey.invoiceOrder, event.entityId)).map {
                String(decoding: $0, as: UTF8.self)
            }
        default: return nil
        }
    }

    static func apply(_ event: ProjectionEvent, to state: inout OrderState?) -> String? {
        if event.type == "order.created" {
            if let state { return "the order was already created at position \(state.createdPosition)" }
            var created = OrderState(
                orderId: event.entityId, traceId: event.traceId, createdAt: event.occurredAt,
                position: event.position)
            update(&created, from: event)
            state = created
            return nil
        }
        // Taken out, not copied: the order's arrays stay uniquely referenced and grow in place. Every rule is
        // checked before the order changes, so an order that breaks one goes back as it was.
        guard var order = state.take() else {
            return event.domain == .order
                ? "\(event.type) for an order that was never created"
                : "\(event.type) names order \(event.entityIdOrOrder), which was never created"
        }
        if let problem = apply(event, to: &order) {
            state = order
            return problem
        }
        order.lastPosition = event.position
        state = order
        return nil
    }

    private static func apply(_ event: ProjectionEvent, to order: inout OrderState) -> String? {
        switch event.type {
        case "order.updated":
            update(&order, from: event)
        case "order.accepted":
            guard order.status == .created else { return "accepted while \(order.status.rawValue)" }
            order.erpOrderId = event.string("erpOrderId")
            change(&order, to: .accepted, by: event)
        case "order.rejected", "order.cancelled":
            guard order.status == .created || order.status == .accepted else {
                return "\(event.verb) while \(order.status.rawValue)"
            }
            order.reason = event.string("reason")
            if let erpOrderId = event.string("erpOrderId") { order.erpOrderId = erpOrderId }
            change(&order, to: event.type == "order.rejected" ? .rejected : .cancelled, by: event)
        case "order.fulfilled":
            guard order.status == .accepted else { return "fulfilled while \(order.status.rawValue)" }
            change(&order, to: .fulfilled, by: event)
        case "payment.authorized", "payment.captured", "payment.failed", "payment.refunded":
            return applyPayment(event, to: &order)
        case "invoice.posted":
            if !order.invoices.contains(event.entityId) { order.invoices.append(event.entityId) }
        case "invoice.credited":
            guard let amount = event.money("amount") else {
                return "invoice.credited without a decimal amount"
            }
            if let problem = checkCurrency(event, order) { return problem }
            order.credited += amount
            if let creditNoteId = event.string("creditNoteId") { order.creditNotes.append(creditNoteId) }
        default:
            return nil
        }
        return nil
    }

    private static func applyPayment(_ event: ProjectionEvent, to order: inout OrderState) -> String? {
        guard let amount = event.money("amount") else { return "\(event.type) without a decimal amount" }
        if let problem = checkCurrency(event, order) { return problem }
        switch event.verb {
        case "authorized": order.authorized += amount
        case "captured":
            order.captured += amount
            if order.capturedAt == nil { order.capturedAt = event.occurredAt }
            order.capturePositions.append(event.position)
        case "refunded":
            let refundable = order.captured - order.refunded
            guard amount <= refundable else {
                return "refund of \(amount) is larger than the \(refundable) captured and not yet refunded"
            }
            order.refunded += amount
            order.refundedAt = event.occurredAt
            order.refundPositions.append(event.position)
            if order.status == .fulfilled { change(&order, to: .refunded, by: event) }
        default: break
        }
        if !order.payments.contains(event.entityId) { order.payments.append(event.entityId) }
        return nil
    }

    private static func checkCurrency(_ event: ProjectionEvent, _ order: OrderState) -> String? {
        guard let currency = event.string("currency"), let expected = order.currency, currency != expected
        else {
            return nil
        }
        return "\(event.type) in \(currency) for an order in \(expected)"
    }

    private static func change(_ order: inout OrderState, to status: OrderStatus, by event: ProjectionEvent) {
        order.status = status
        order.statusChangedAt = event.occurredAt
        order.statusPosition = event.position
    }

    /// Takes the order fields `order.created` and `order.updated` carry, when present.
    private static func update(_ order: inout OrderState, from event: ProjectionEvent) {
        if let customerId = event.string("customerId") { order.customerId = customerId }
        if let currency = event.string("currency") { order.currency = currency }
        if let lines = OrderLine.lines(of: event) { order.lines = lines }
        if let net = event.money("netTotal") { order.netTotal = net }
        if let tax = event.money("taxTotal") { order.taxTotal = tax }
        if let grand = event.money("grandTotal") { order.grandTotal = grand }
    }

    static func didApply(
        _ event: ProjectionEvent, entity: String, before: OrderState?, after: OrderState?,
        index: FoldIndex
    ) throws {
        if event.domain != .order {
            // The event is not in the order's stream: remember it, so as-of folds of the order find it.
            index.put(ProjectionKey.make(ProjectionKey.link, entity, event.position))
        }
        if event.type == "invoice.posted" {
            index.put(ProjectionKey.make(ProjectionKey.invoiceOrder, event.entityId), Array(entity.utf8))
        }
    }
}

extension ProjectionEvent {
    /// The order an event names: its entity for order events, else the payload's `orderId`.
    var entityIdOrOrder: String { domain == .order ? entityId : string("orderId") ?? "(none)" }
}
