import JSONKit

/// A payment (a provider's payment intent) as the payments projection holds it.
///
/// Sendable: plain values.
struct PaymentState: EntityState {
    var paymentId: String
    var orderId: String?
    var currency: String?
    var provider: String?
    var method: String?
    /// authorized, captured, failed, partially_refunded or refunded.
    var status = "authorized"
    var authorized = Money.zero
    var captured = Money.zero
    var refunded = Money.zero
    var failureCode: String?
    var traceId: String
    var firstPosition: UInt64
    var lastPosition: UInt64

    init(paymentId: String, traceId: String, position: UInt64) {
        self.paymentId = paymentId
        self.traceId = traceId
        self.firstPosition = position
        self.lastPosition = position
    }

    init(decoding reader: inout StateReader) throws {
        paymentId = try reader.string()
        orderId = try reader.optionalString()
        currency = try reader.optionalString()
        provider = try reader.optionalString()
        method = try reader.optionalString()
        status = try reader.string()
        authorized = try reader.money()
        captured = try reader.money()
        refunded = try reader.money()
        failureCode = try reader.optionalString()
        traceId = try reader.string()
        firstPosition = try reader.uint64()
        lastPosition = try reader.uint64()
    }

    func encode(into writer: inout StateWriter) {
        writer.write(paymentId)
        writer.write(orderId)
        writer.write(currency)
        writer.write(provider)
        writer.write(method)
        writer.write(status)
        writer.write(authorized)
        writer.write(captured)
        writer.write(refunded)
        writer.write(failureCode)
        writer.write(traceId)
        writer.write(firstPosition)
        writer.write(lastPosition)
    }

    var fields: JSONObject {
        var object = JSONObject()
        object.set("paymentId", paymentId)
        object.set("orderId", orderId)
        object.set("status", status)
        object.set("currency", currency)
        object.set("authorized", authorized)
        object.set("captured", captured)
        object.set("refunded", refunded)
        object.set("provider", provider)
        object.set("method", method)
        object.set("failureCode", failureCode)
        object.set("traceId", traceId)
        return object
    }
}

/// The payments projection: each payment's own events.
///
/// Rules: a payment stays with one order and one currency; a capture may not exceed what was authorized
/// (when something was); a refund may not exceed what was captured and not yet refunded; a payment with a
/// capture cannot fail afterwards.
enum PaymentFold: DomainFold {
    typealias State = PaymentState
    static let domain = Domain.payment

    static func apply(_ event: ProjectionEvent, to state: inout PaymentState?) -> String? {
        var payment =
            state ?? PaymentState(paymentId: event.entityId, traceId: event.traceId, position: event.position)
        guard let amount = event.money("amount") else { return "\(event.type) without a decimal amount" }
        if let orderId = event.string("orderId") {
            if let known = payment.orderId, known != orderId {
                return "names order \(orderId), but the payment belongs to order \(known)"
            }
            payment.orderId = orderId
        }
        if let currency = event.string("currency") {
            if let known = payment.currency, known != currency {
                return "in \(currency), but the payment is in \(known)"
            }
            payment.currency = currency
        }
        if let provider = event.string("provider") { payment.provider = provider }
        if let method = event.string("method") { payment.method = method }
        switch event.verb {
        case "authorized":
            payment.authorized += amount
            if payment.captured.isZero { payment.status = "authorized" }
        case "captured":
            if !payment.authorized.isZero, payment.captured + amount > payment.authorized {
                return
                    "capture of \(amount) exceeds the \(payment.authorized) authorized (\(payment.captured) "
                    + "already captured)"
            }
            payment.captured += amount
            payment.status = "captured"
        case "failed":
            guard payment.captured.isZero else { return "failed after \(payment.captured) was captured" }
            payment.failureCode = event.string("failureCode")
            payment.status = "failed"
        case "refunded":
            let refundable = payment.captured - payment.refunded
            guard amount <= refundable else {
                return "refund of \(amount) is larger than the \(refundable) captured and not yet refunded"
            }
            payment.refunded += amount
            payment.status = payment.refunded == payment.captured ? "refunded" : "partially_refunded"
        default:
            return nil
        }
        payment.lastPosition = event.position
        state = payment
        return nil
    }
}
