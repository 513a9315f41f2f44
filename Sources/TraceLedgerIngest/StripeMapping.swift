import JSONKit
import TraceLedger

/// Stripe event types → ledger events (docs/ingestion.md has the table, field by field).
///
/// A payment names its order in `metadata.order_id` (or the key given with `--stripe-order-key`); amounts
/// are converted from minor units by the currency's exponent; the payment intent is the payment's entity,
/// so its authorization, capture and refunds are one stream.
struct StripeMapping: Sendable {
    /// The metadata key that holds the shop's order id.
    var orderKey = "order_id"

    static let types: Set<String> = [
        "payment_intent.amount_capturable_updated", "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "charge.refunded", "invoice.finalized", "invoice.paid", "customer.created", "customer.updated",
    ]

    func events(type: String, event: JSONValue) throws(MappingGap) -> [MappedEvent] {
        guard let object = event["data"]?["object"] else { throw MappingGap("the event has no data.object") }
        let created = try event.required("created", event.integer, in: "the event")
        guard let seconds = created.int64Value else { throw MappingGap("created is not a unix time") }
        let occurredAt = Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000).rfc3339
        let previous = event["data"]?["previous_attributes"]
        switch type {
        case "payment_intent.amount_capturable_updated":
            return [
                try payment(
                    object, type: "payment.authorized", amountKey: "amount_capturable", at: occurredAt)
            ]
        case "payment_intent.succeeded":
            return [
                try payment(object, type: "payment.captured", amountKey: "amount_received", at: occurredAt)
            ]
        case "payment_intent.payment_failed":
            return [try payment(object, type: "payment.failed", amountKey: "amount", at: occurredAt)]
        case "charge.refunded": return [try refund(object, previous: previous, at: occurredAt)]
        case "invoice.finalized": return [try invoicePosted(object, at: occurredAt)]
        case "invoice.paid": return [try invoicePaid(object, at: occurredAt)]
        case "customer.created": return [try customer(object, type: "customer.created", at: occurredAt)]
        case "customer.updated": return [try customer(object, type: "customer.updated", at: occurredAt)]
        default: throw MappingGap("the event type \(type) has no mapping")
        }
    }

    private func orderId(_ object: JSONValue, _ what: String) throws(MappingGap) -> String {
        guard let id = object["metadata"]?.id(orderKey) else {
            throw MappingGap("\(what) names no order: metadata.\(orderKey) is missing")
        }
        return id
    }

    private func currency(_ object: JSONValue, _ what: String) throws(MappingGap) -> String {
        try object.required("currency", object.text, in: what).uppercased()
    }

    private func amount(_ object: JSONValue, _ key: String, currency: String, _ what: String)
        throws(MappingGap)
        -> String
    {
        let minor = try object.required(key, object.integer, in: what)
        guard let decimal = StripeAmount.decimal(minor, currency: currency) else {
            throw MappingGap("\(what)'s \(key) \(minor.literal) is not a non-negative amount")
        }
        return decimal
    }

    private func payment(_ intent: JSONValue, type: String, amountKey: String, at occurredAt: String)
        throws(MappingGap) -> MappedEvent
    {
        let id = try intent.required("id", intent.text, in: "the payment intent")
        let currency = try currency(intent, "the payment intent")
        var payload: JSONObject = [
            "orderId": .string(try orderId(intent, "the payment intent")),
            "amount": .string(try amount(intent, amountKey, currency: currency, "the payment intent")),
            "currency": .string(currency), "provider": "stripe", "providerPaymentId": .string(id),
        ]
        if let method = intent["payment_method_types"]?.arrayValue?.first?.stringValue {
            payload["method"] = .string(String(method.prefix(64)))
        }
        if type == "payment.failed", let error = intent["last_payment_error"] {
            if let code = error.text("decline_code") ?? error.text("code") ?? error.text("type") {
                payload["failureCode"] = .string(String(code.prefix(64)))
            }
        }
        return MappedEvent(type: type, entityId: id, occurredAt: occurredAt, payload: payload)
    }

    /// `charge.refunded`: this refund's amount is the change in `amount_refunded` (a charge refunded twice
    /// reports the running total), on the payment intent's stream.
    private func refund(_ charge: JSONValue, previous: JSONValue?, at occurredAt: String) throws(MappingGap)
        -> MappedEvent
    {
        let chargeId = try charge.required("id", charge.text, in: "the charge")
        let currency = try currency(charge, "the charge")
        let total = try charge.required("amount_refunded", charge.integer, in: "the charge")
        // Without the previous total, the newest refund of the charge's list (Stripe lists them newest first)
        // is this one; without either, the whole refunded amount.
        let newest = charge["refunds"]?["data"]?.arrayValue?.first?.integer("amount")
        let before =
            previous?.integer("amount_refunded")
            ?? newest.flatMap { StripeAmount.difference(total, $0) }.flatMap { JSONNumber(literal: $0) }
            ?? JSONNumber(0)
        guard let minor = StripeAmount.difference(total, before),
            let amount = StripeAmount.decimal(digits: minor, currency: currency)
        else {
            throw MappingGap("amount_refunded went from \(before.literal) to \(total.literal): not a refund")
        }
        let paymentId = charge.text("payment_intent") ?? chargeId
        var payload: JSONObject = [
            "orderId": .string(try orderId(charge, "the charge")), "amount": .string(amount),
            "currency": .string(currency), "provider": "stripe", "providerPaymentId": .string(paymentId),
            "stripeChargeId": .string(chargeId),
        ]
        if let reason = charge["refunds"]?["data"]?.arrayValue?.first?.text("reason") {
            payload["reason"] = .string(reason)
        }
        return MappedEvent(
            type: "payment.refunded", entityId: paymentId, occurredAt: occurredAt, payload: payload)
    }

    private func invoicePosted(_ invoice: JSONValue, at occurredAt: String) throws(MappingGap) -> MappedEvent
    {
        let id = try invoice.required("id", invoice.text, in: "the invoice")
        let currency = try currency(invoice, "the invoice")
        let total = try invoice.required("total", invoice.integer, in: "the invoice")
        // total_excluding_tax since 2022; older API versions give the tax itself.
        let net =
            invoice.integer("total_excluding_tax")
            ?? invoice.integer("tax").flatMap { StripeAmount.difference(total, $0) }.flatMap {
                JSONNumber(literal: $0)
            }
            ?? total
        guard let tax = StripeAmount.difference(total, net),
            let taxTotal = StripeAmount.decimal(digits: tax, currency: currency),
            let grand = StripeAmount.decimal(total, currency: currency),
            let netTotal = StripeAmount.decimal(net, currency: currency)
        else { throw MappingGap("the invoice's total is below its total_excluding_tax") }
        var payload: JSONObject = [
            "orderId": .string(try orderId(invoice, "the invoice")), "currency": .string(currency),
            "netTotal": .string(netTotal), "taxTotal": .string(taxTotal), "grandTotal": .string(grand),
            "stripeInvoiceId": .string(id),
        ]
        if let number = invoice.text("number") { payload["invoiceNumber"] = .string(number) }
        return MappedEvent(type: "invoice.posted", entityId: id, occurredAt: occurredAt, payload: payload)
    }

    private func invoicePaid(_ invoice: JSONValue, at occurredAt: String) throws(MappingGap) -> MappedEvent {
        let id = try invoice.required("id", invoice.text, in: "the invoice")
        let currency = try currency(invoice, "the invoice")
        var payload: JSONObject = [
            "amount": .string(try amount(invoice, "amount_paid", currency: currency, "the invoice")),
            "currency": .string(currency),
        ]
        if let order = invoice["metadata"]?.id(orderKey) { payload["orderId"] = .string(order) }
        return MappedEvent(type: "invoice.paid", entityId: id, occurredAt: occurredAt, payload: payload)
    }

    private func customer(_ customer: JSONValue, type: String, at occurredAt: String) throws(MappingGap)
        -> MappedEvent
    {
        let id = try customer.required("id", customer.text, in: "the customer")
        var payload: JSONObject = ["stripeCustomerId": .string(id)]
        if let email = customer.text("email") { payload["email"] = .string(email) }
        if let name = customer.text("name") { payload["name"] = .string(String(name.prefix(1000))) }
        if let address = customer["address"] {
            var mapped: JSONObject = [:]
            if let line = address.text("line1") { mapped["line1"] = .string(line) }
            if let line = address.text("line2") { mapped["line2"] = .string(line) }
            if let city = address.text("city") { mapped["city"] = .string(city) }
            if let code = address.text("postal_code") { mapped["postalCode"] = .string(code) }
            if let state = address.text("state") { mapped["region"] = .string(state) }
            if let country = address.text("country") { mapped["country"] = .string(country) }
            if !mapped.isEmpty { payload["billingAddress"] = .object(mapped) }
        }
        return MappedEvent(type: type, entityId: id, occurredAt: occurredAt, payload: payload)
    }
}
