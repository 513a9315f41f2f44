/// Planning an order flow: customer, order, reservations, payment, ERP, shipping, invoice,
/// refund — with the planted troubles of the configuration.
extension FlowFactory {
    /// One order line with its exact amounts in minor units.
    struct PlannedLine {
        let product: ProductCatalog.Product
        var quantity: Int
        let unitPriceCents: Int
        let taxRate: Int
        let stockKey: String
        var netCents: Int { unitPriceCents * quantity }
        var taxCents: Int { MinorUnits.tax(onNetCents: netCents, rate: taxRate) }
    }

    static let shopify = (origin: "shopify", actor: "service:shopify-connector")
    static let stripe = (origin: "stripe", actor: "service:stripe-webhooks")
    static let erp = (origin: "erp", actor: "service:erp-sync")
    static let wms = (origin: "wms", actor: "service:wms-sync")
    static let staff = [
        "user:alice@example.com", "user:bob.support@example.com", "user:carla.ops@example.com",
    ]

    /// Plans the deliveries an order needs and then the order itself, and queues them.
    mutating func planOrder(at start: Int64) {
        // The customer: new (maybe a planted duplicate) or returning.
        let isNew = customerCount == 0 || !random.chance(configuration.returningCustomerRate)
        let customerNumber = isNew ? customerCount + 1 : random.nextInt(in: 1...customerCount)
        if isNew { customerCount += 1 }
        let customer = customers.identity(customerNumber)
        let market = customer.market
        let wasUpdated = random.chance(configuration.orderUpdateRate)
        let lines = planLines(market: market, extraUnitOnFirstLine: wasUpdated, at: start)

        let index = claimIndex()
        var flow = FlowRecorder(index: index, startMilliseconds: start, random: &random)
        orderCount += 1
        let orderId = "SO-" + String(100_000 + orderCount)
        let paymentId = "pi_3" + Identifiers.base62(&random, count: 23)
        var outcome = OrderOutcome(
            orderId: orderId, customerId: customer.customerId, isNewCustomer: isNew,
            duplicateOfCustomerId: isNew
                ? customer.duplicateOf.map { customers.identity($0.number).customerId } : nil,
            currency: market.currency, netTotal: "", taxTotal: "", grandTotal: "", paymentId: paymentId)
        outcome.stockEntities = lines.map(\.stockKey)
        outcome.oversoldStockEntities = lines.map(\.stockKey).filter { stock.entry($0).isOversold }

        if isNew {
            var payload = JSONObjectWriter()
            payload.add("email", customer.email)
            payload.add("name", customer.name)
            if let vatId = customer.vatId { payload.add("vatId", vatId) }
            payload.add("billingAddress", json: customer.addressJSON)
            flow.record(
                "customer.created", entity: customer.customerId, origin: Self.shopify.origin,
                actor: Self.shopify.actor, payload: payload.finish(), random: &random)
            flow.advance(50...400, &random)
            if let original = customer.duplicateOf, random.chance(configuration.customerMergeRate) {
                schedule(
                    .customerMerge(duplicateNumber: customerNumber, originalNumber: original.number),
                    at: start + random.nextInt64(in: 120_000...1_800_000))
            }
        } else if random.chance(configuration.customerUpdateRate) {
            var payload = JSONObjectWriter()
            payload.add("billingAddress", json: customers.movedAddressJSON(customerNumber, &random))
            flow.record(
                "customer.updated", entity: customer.customerId, origin: Self.shopify.origin,
                actor: Self.shopify.actor, payload: payload.finish(), random: &random)
            flow.advance(100...2_000, &random)
        }

        // The order as placed; an update adds one unit to the first line a minute later.
        var placed = lines
        if wasUpdated { placed[0].quantity -= 1 }
        flow.record(
            "order.created", entity: orderId, origin: Self.shopify.origin, actor: Self.shopify.actor,
            payload: orderCreatedPayload(customer: customer, market: market, lines: placed), random: &random)
        if wasUpdated {
            flow.advance(20_000...120_000, &random)
            var payload = JSONObjectWriter(capacity: 512)
            payload.add("lines", json: Self.linesJSON(lines))
            Self.addTotals(lines, to: &payload)
            payload.add("note", "Customer asked for one more unit")
            flow.record(
                "order.updated", entity: orderId, origin: Self.shopify.origin, actor: Self.shopify.actor,
                payload: payload.finish(), random: &random)
            outcome.wasUpdated = true
        }
        let net = lines.reduce(0) { $0 + $1.netCents }
        let tax = lines.reduce(0) { $0 + $1.taxCents }
        outcome.netTotal = MinorUnits.decimalString(cents: net)
        outcome.taxTotal = MinorUnits.decimalString(cents: tax)
        outcome.grandTotal = MinorUnits.decimalString(cents: net + tax)

        for line in lines {
            flow.advance(150...1_500, &random)
            recordStock("stock.reserved", line, orderId: orderId, flow: &flow)
            stock.update(line.stockKey, at: flow.now) { $0.reserved += line.quantity }
        }
        planPaymentAndFulfilment(lines: lines, market: market, flow: &flow, outcome: &outcome)
        enqueue(flow.flow(.order, order: outcome))
        scheduleWarehouseFollowUps(after: start)
    }

    /// Records a `stock.*` event for one line (reserved, released, shipped).
    mutating func recordStock(_ type: String, _ line: PlannedLine, orderId: String, flow: inout FlowRecorder)
    {
        // The entity (`SKU@WAREHOUSE`) already names the stock; the WMS sends only the movement.
        var payload = JSONObjectWriter(capacity: 64)
        payload.add("quantity", line.quantity)
        payload.add("orderId", orderId)
        flow.record(
            type, entity: line.stockKey, origin: Self.wms.origin, actor: Self.wms.actor,
            payload: payload.finish(), random: &random)
    }

    /// Chooses 1–4 lines, skipping oversold stocks, and plans any delivery they need first.
    private mutating func planLines(market: Market, extraUnitOnFirstLine: Bool, at start: Int64)
        -> [PlannedLine]
    {
        let lineCountRoll = random.nextInt(below: 100)
        let lineCount = lineCountRoll < 62 ? 1 : lineCountRoll < 86 ? 2 : lineCountRoll < 96 ? 3 : 4
        var lines: [PlannedLine] = []
        var usedSKUs: Set<Int> = []
        for _ in 0..<lineCount {
            var product = catalog.popularProduct(&random)
            var attempts = 0
            while attempts < 8,
                usedSKUs.contains(product.number)
                    || stock.entry(product.sku + "@" + market.warehouse).isOversold
            {
                product = catalog.popularProduct(&random)
                attempts += 1
            }
            if usedSKUs.contains(product.number) { continue }
            usedSKUs.insert(product.number)
            let quantityRoll = random.nextInt(below: 100)
            let quantity = quantityRoll < 75 ? 1 : quantityRoll < 93 ? 2 : random.nextInt(in: 3...6)
            let rate = product.isReducedRate ? market.reducedRate : random.pick(market.standardRates)
            lines.append(
                PlannedLine(
                    product: product, quantity: quantity, unitPriceCents: product.unitPriceCents(in: market),
                    taxRate: rate, stockKey: product.sku + "@" + market.warehouse))
        }
        if extraUnitOnFirstLine { lines[0].quantity += 1 }
        for line in lines { ensureStock(for: line, at: start) }
        return lines
    }

    private mutating func orderCreatedPayload(
        customer: CustomerDirectory.Identity, market: Market, lines: [PlannedLine]
    ) -> String {
        var payload = JSONObjectWriter(capacity: 512)
        payload.add("customerId", customer.customerId)
        payload.add("shopifyOrderId", 820_982_911_946_154_508 as UInt64 + UInt64(orderCount))
        payload.add("channel", random.pick(["web", "web", "web", "mobile_app", "pos"]))
        payload.add("currency", market.currency)
        payload.add("lines", json: Self.linesJSON(lines))
        Self.addTotals(lines, to: &payload)
        return payload.finish()
    }

    /// The lines as JSON: sku, name (unless `withNames` is false: the ERP's invoice lines carry
    /// none), quantity, unitPrice, taxRate, lineTotal (net).
    static func linesJSON(_ lines: [PlannedLine], withNames: Bool = true) -> String {
        JSONObjectWriter.array(
            lines.map { line in
                var object = JSONObjectWriter(capacity: 128)
                object.add("sku", line.product.sku)
                if withNames { object.add("name", line.product.name) }
                object.add("quantity", line.quantity)
                object.add("unitPrice", MinorUnits.decimalString(cents: line.unitPriceCents))
                object.add("taxRate", MinorUnits.rateString(line.taxRate))
                object.add("lineTotal", MinorUnits.decimalString(cents: line.netCents))
                return object.finish()
            })
    }

    /// Adds netTotal, taxTotal and grandTotal, each the exact sum of the lines (tax rounded per line).
    static func addTotals(_ lines: [PlannedLine], taxCorrection: Int = 0, to payload: inout JSONObjectWriter)
    {
        let net = lines.reduce(0) { $0 + $1.netCents }
        let tax = lines.reduce(0) { $0 + $1.taxCents } + taxCorrection
        payload.add("netTotal", MinorUnits.decimalString(cents: net))
        payload.add("taxTotal", MinorUnits.decimalString(cents: tax))
        payload.add("grandTotal", MinorUnits.decimalString(cents: net + tax))
    }
}
