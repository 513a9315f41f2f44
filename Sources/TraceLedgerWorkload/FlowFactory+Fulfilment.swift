/// The second half of an order flow: payment, ERP hand-over, shipping, invoice and refund.
extension FlowFactory {
    /// Plans everything after the reservations; stops where a planted trouble ends the flow.
    mutating func planPaymentAndFulfilment(
        lines: [PlannedLine], market: Market, flow: inout FlowRecorder, outcome: inout OrderOutcome
    ) {
        let orderId = outcome.orderId
        let grand = outcome.grandTotal
        func paymentPayload(_ random: inout SplitMix64, failureCode: String? = nil) -> String {
            var payload = JSONObjectWriter(capacity: 192)
            payload.add("orderId", orderId)
            payload.add("amount", grand)
            payload.add("currency", market.currency)
            payload.add("provider", "stripe")
            payload.add("method", "card")
            if let failureCode { payload.add("failureCode", failureCode) }
            return payload.finish()
        }

        flow.advance(1_000...8_000, &random)
        if random.chance(configuration.paymentFailureRate) {
            let code = random.pick(["card_declined", "insufficient_funds", "expired_card"])
            flow.record(
                "payment.failed", entity: outcome.paymentId, origin: Self.stripe.origin,
                actor: Self.stripe.actor,
                payload: paymentPayload(&random, failureCode: code), random: &random)
            flow.advance(2_000...30_000, &random)
            flow.record(
                "order.cancelled", entity: orderId, origin: Self.shopify.origin, actor: Self.shopify.actor,
                payload: #"{"reason":"payment_failed"}"#, random: &random)
            releaseReservations(lines, orderId: orderId, flow: &flow)
            outcome.paymentFailed = true
            outcome.cancelled = true
            return
        }
        flow.record(
            "payment.authorized", entity: outcome.paymentId, origin: Self.stripe.origin,
            actor: Self.stripe.actor,
            payload: paymentPayload(&random), random: &random)
        flow.advance(500...5_000, &random)
        flow.record(
            "payment.captured", entity: outcome.paymentId, origin: Self.stripe.origin,
            actor: Self.stripe.actor,
            payload: paymentPayload(&random), random: &random)
        outcome.capturedAmount = grand

        // The ERP picks the order up — or never does, or refuses it.
        if random.chance(configuration.missingERPRate) {
            outcome.missingERP = true
            return
        }
        flow.advance(5_000...60_000, &random)
        if random.chance(configuration.erpRejectionRate) {
            let reason = random.pick([
                "credit_limit_exceeded", "unknown_sku_in_erp", "address_validation_failed",
            ])
            var payload = JSONObjectWriter()
            payload.add("reason", reason)
            flow.record(
                "order.rejected", entity: orderId, origin: Self.erp.origin, actor: Self.erp.actor,
                payload: payload.finish(), random: &random)
            releaseReservations(lines, orderId: orderId, flow: &flow)
            outcome.erpRejected = true
            return
        }
        let erpOrderId = "45" + Identifiers.padded("", 10_000_000 + orderCount, width: 8)
        flow.record(
            "order.accepted", entity: orderId, origin: Self.erp.origin, actor: Self.erp.actor,
            payload: #"{"erpOrderId":""# + erpOrderId + #""}"#, random: &random)
        outcome.erpAccepted = true
        outcome.erpOrderId = erpOrderId
        // An order with an oversold line waits for stock that never comes.
        if !outcome.oversoldStockEntities.isEmpty { return }

        shipAndInvoice(lines: lines, market: market, erpOrderId: erpOrderId, flow: &flow, outcome: &outcome)
    }

    private mutating func shipAndInvoice(
        lines: [PlannedLine], market: Market, erpOrderId: String, flow: inout FlowRecorder,
        outcome: inout OrderOutcome
    ) {
        let orderId = outcome.orderId
        flow.advance(60_000...600_000, &random)
        for line in lines {
            recordStock("stock.shipped", line, orderId: orderId, flow: &flow)
            stock.update(line.stockKey, at: flow.now) {
                $0.onHand -= line.quantity
                $0.reserved -= line.quantity
            }
            flow.advance(100...2_000, &random)
        }
        let carrier = random.pick(["DHL", "DHL", "DPD", "UPS", "GLS"])
        var fulfilled = JSONObjectWriter(capacity: 256)
        fulfilled.add("warehouse", market.warehouse)
        fulfilled.add(
            "lines",
            json: JSONObjectWriter.array(
                lines.map { #"{"sku":""# + $0.product.sku + #"","quantity":"# + String($0.quantity) + "}" }))
        fulfilled.add("carrier", carrier)
        fulfilled.add(
            "trackingNumber",
            carrier == "UPS"
                ? "1Z" + Identifiers.base62(&random, count: 16).uppercased()
                : "00340434" + Identifiers.padded("", Int(random.next() % 1_000_000_000_000), width: 12))
        flow.record(
            "order.fulfilled", entity: orderId, origin: Self.wms.origin, actor: Self.wms.actor,
            payload: fulfilled.finish(), random: &random)
        outcome.fulfilled = true

        // The ERP invoices; a planted mismatch rounds the tax differently by a few cents.
        flow.advance(10_000...120_000, &random)
        invoiceCount += 1
        let invoiceId = "INV-" + String(100_000 + invoiceCount)
        var correction = 0
        if random.chance(configuration.invoiceTaxMismatchRate) {
            correction = random.pick([-3, -2, -1, 1, 2, 3])
            outcome.invoiceTaxMismatch = true
        }
        let net = lines.reduce(0) { $0 + $1.netCents }
        let tax = lines.reduce(0) { $0 + $1.taxCents } + correction
        var invoice = JSONObjectWriter(capacity: 512)
        invoice.add("orderId", orderId)
        invoice.add("erpOrderId", erpOrderId)
        invoice.add("currency", market.currency)
        invoice.add("lines", json: Self.linesJSON(lines, withNames: false))
        Self.addTotals(lines, taxCorrection: correction, to: &invoice)
        flow.record(
            "invoice.posted", entity: invoiceId, origin: Self.erp.origin, actor: Self.erp.actor,
            payload: invoice.finish(), random: &random)
        outcome.invoiceId = invoiceId
        outcome.invoiceTaxTotal = MinorUnits.decimalString(cents: tax)
        outcome.invoiceGrandTotal = MinorUnits.decimalString(cents: net + tax)

        flow.advance(1_000...60_000, &random)
        var paid = JSONObjectWriter()
        paid.add("amount", MinorUnits.decimalString(cents: net + tax))
        paid.add("currency", market.currency)
        paid.add("orderId", orderId)
        flow.record(
            "invoice.paid", entity: invoiceId, origin: Self.erp.origin, actor: Self.erp.actor,
            payload: paid.finish(), random: &random)

        if random.chance(configuration.refundRate) {
            planRefund(lines: lines, market: market, flow: &flow, outcome: &outcome)
        }
    }

    /// A staff member refunds the whole order or one line; the ERP usually issues a credit note.
    private mutating func planRefund(
        lines: [PlannedLine], market: Market, flow: inout FlowRecorder, outcome: inout OrderOutcome
    ) {
        let partial = lines.count > 1 && random.chance(0.5)
        let refundCents =
            partial
            ? lines[0].netCents + lines[0].taxCents : lines.reduce(0) { $0 + $1.netCents + $1.taxCents }
        let amount = MinorUnits.decimalString(cents: refundCents)
        let reason = random.pick([
            "damaged in transit", "wrong size", "customer changed mind", "item not as described",
        ])
        flow.advance(120_000...1_200_000, &random)
        var refund = JSONObjectWriter(capacity: 192)
        refund.add("orderId", outcome.orderId)
        refund.add("amount", amount)
        refund.add("currency", market.currency)
        refund.add("reason", reason)
        refund.add("provider", "stripe")
        refund.add("providerPaymentId", outcome.paymentId)
        flow.record(
            "payment.refunded", entity: outcome.paymentId, origin: "shopify-admin",
            actor: random.pick(Self.staff),
            payload: refund.finish(), random: &random)
        outcome.refundedAmount = amount
        if random.chance(configuration.refundWithoutCreditNoteRate) {
            outcome.refundWithoutCreditNote = true
            return
        }
        flow.advance(10_000...120_000, &random)
        creditNoteCount += 1
        let creditNoteId = "CN-" + String(100_000 + creditNoteCount)
        var credit = JSONObjectWriter(capacity: 160)
        credit.add("amount", amount)
        credit.add("currency", market.currency)
        credit.add("reason", reason)
        credit.add("creditNoteId", creditNoteId)
        credit.add("orderId", outcome.orderId)
        flow.record(
            "invoice.credited", entity: outcome.invoiceId ?? "", origin: Self.erp.origin,
            actor: Self.erp.actor,
            payload: credit.finish(), random: &random)
        outcome.creditNoteId = creditNoteId
    }

    /// Releases every line's reservation (cancelled or rejected order).
    private mutating func releaseReservations(
        _ lines: [PlannedLine], orderId: String, flow: inout FlowRecorder
    ) {
        for line in lines {
            flow.advance(200...3_000, &random)
            recordStock("stock.released", line, orderId: orderId, flow: &flow)
            stock.update(line.stockKey, at: flow.now) {
                $0.reserved -= line.quantity
                $0.releasedHoldback += line.quantity
            }
        }
    }
}
