/// Warehouse flows: deliveries when stock runs low, cycle counts, manual corrections, and the
/// planting of the oversold stocks.
extension FlowFactory {
    static let warehouseStaff = [
        "user:m.schmidt@warehouse.example.com", "user:j.devries@warehouse.example.com",
    ]

    /// Makes sure `line` can be reserved at `start`: plans a delivery (its own flow, emitted just
    /// before the order) when the pessimistic available stock is short — or, a few times, plants
    /// an oversold stock instead.
    mutating func ensureStock(for line: PlannedLine, at start: Int64) {
        let entry = stock.entry(line.stockKey)
        if entry.isOversold || entry.available >= line.quantity + StockBook.safetyMargin { return }
        let neverStocked = entry.onHand == 0 && entry.reserved == 0 && entry.lastActivityMilliseconds == .min
        if neverStocked, stock.oversoldKeys.count < configuration.oversoldStockCount,
            random.chance(configuration.oversellChance)
        {
            // A short delivery: the order will reserve more than is on hand.
            stock.markOversold(line.stockKey)
            if line.quantity > 1 { planDelivery(line, quantity: line.quantity - 1, at: start) }
            return
        }
        let lot = random.nextInt(in: 4...24) * 10
        planDelivery(line, quantity: lot + max(0, -entry.available), at: start)
    }

    /// A purchase-order delivery (one trace): the stock that ran short first, then up to four
    /// other low stocks of the same warehouse, most popular first — a truck rarely brings one SKU.
    /// Every receipt carries the flow's start time, so none can trail a reservation it enables.
    private mutating func planDelivery(_ line: PlannedLine, quantity: Int, at start: Int64) {
        let warehouse = String(line.stockKey.drop { $0 != "@" }.dropFirst())
        var items = [(sku: line.product.sku, key: line.stockKey, quantity: quantity)]
        var number = 1
        while items.count < 5, number <= catalog.size {
            let sku = Identifiers.padded("SKU-", number, width: 5)
            let key = sku + "@" + warehouse
            let entry = stock.entry(key)
            if key != line.stockKey, !entry.isOversold, entry.available < 2 * StockBook.safetyMargin {
                items.append((sku, key, random.nextInt(in: 4...24) * 10 + max(0, -entry.available)))
            }
            number += 1
        }
        var flow = FlowRecorder(index: claimIndex(), startMilliseconds: start, random: &random)
        purchaseOrderCount += 1
        let purchaseOrderId = "PO-" + String(500_000 + purchaseOrderCount)
        for item in items {
            var payload = JSONObjectWriter(capacity: 128)
            payload.add("sku", item.sku)
            payload.add("warehouse", warehouse)
            payload.add("quantity", item.quantity)
            payload.add("purchaseOrderId", purchaseOrderId)
            flow.record(
                "stock.received", entity: item.key, origin: Self.wms.origin, actor: Self.wms.actor,
                payload: payload.finish(), random: &random)
            stock.update(item.key, at: start) { $0.onHand += item.quantity }
        }
        enqueue(flow.flow(.stockDelivery))
    }

    /// After each order, maybe schedule a count, a correction and an operator's action.
    mutating func scheduleWarehouseFollowUps(after start: Int64) {
        if random.chance(configuration.stockCountRate) {
            schedule(.stockCount, at: start + random.nextInt64(in: 1_000...120_000))
        }
        if random.chance(configuration.stockAdjustmentRate) {
            schedule(.stockAdjustment, at: start + random.nextInt64(in: 1_000...120_000))
        }
        if random.chance(configuration.ledgerOperationsRate) {
            schedule(.ledgerOperations, at: start + random.nextInt64(in: 1_000...300_000))
        }
    }

    /// A cycle count of a stock with nothing in flight (so the count agrees with what has been
    /// emitted), sometimes finding a unit or two missing. `nil` when no such stock is found.
    mutating func planStockCount(at start: Int64) -> GeneratedFlow? {
        guard let key = pickStock(idleBefore: start) else { return nil }
        let entry = stock.entry(key)
        var shrinkage = 0
        if random.chance(0.25) {
            shrinkage = random.nextInt(in: 1...2)
            if entry.onHand - shrinkage - entry.reserved < StockBook.safetyMargin { shrinkage = 0 }
        }
        let counted = entry.onHand - shrinkage
        var flow = FlowRecorder(index: claimIndex(), startMilliseconds: start, random: &random)
        var payload = JSONObjectWriter(capacity: 96)
        payload.add("sku", String(key.prefix { $0 != "@" }))
        payload.add("warehouse", String(key.drop { $0 != "@" }.dropFirst()))
        payload.add("onHand", counted)
        flow.record(
            "stock.counted", entity: key, origin: Self.wms.origin, actor: random.pick(Self.warehouseStaff),
            payload: payload.finish(), random: &random)
        // Idle: every release has been emitted, so the holdback can be credited now.
        stock.update(key, at: start) {
            $0.onHand = counted
            $0.releasedHoldback = 0
        }
        return flow.flow(.stockCount)
    }

    /// A manual correction: damaged or lost units out, found or restocked units in.
    mutating func planStockAdjustment(at start: Int64) -> GeneratedFlow? {
        guard let key = pickStock(idleBefore: nil) else { return nil }
        let entry = stock.entry(key)
        var delta = random.nextInt(in: 1...4)
        var reason = random.pick(["found during count", "customer return restocked"])
        if random.chance(0.6), entry.available - 3 >= StockBook.safetyMargin {
            delta = -random.nextInt(in: 1...3)
            reason = random.pick(["damaged", "lost", "expired"])
        }
        var flow = FlowRecorder(index: claimIndex(), startMilliseconds: start, random: &random)
        var payload = JSONObjectWriter(capacity: 96)
        payload.add("sku", String(key.prefix { $0 != "@" }))
        payload.add("warehouse", String(key.drop { $0 != "@" }.dropFirst()))
        payload.add("delta", delta)
        payload.add("reason", reason)
        flow.record(
            "stock.adjusted", entity: key, origin: Self.wms.origin, actor: random.pick(Self.warehouseStaff),
            payload: payload.finish(), random: &random)
        stock.update(key, at: start) { $0.onHand += delta }
        return flow.flow(.stockAdjustment)
    }

    /// A stock that is not oversold and, if `idleBefore` is given, has no planned event at or
    /// after that time. A few tries, then `nil`.
    private mutating func pickStock(idleBefore: Int64?) -> String? {
        guard !stock.keys.isEmpty else { return nil }
        for _ in 0..<8 {
            let key = random.pick(stock.keys)
            let entry = stock.entry(key)
            if entry.isOversold { continue }
            if let idleBefore, entry.lastActivityMilliseconds >= idleBefore { continue }
            return key
        }
        return nil
    }
}
