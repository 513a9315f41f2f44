import JSONKit
import TraceLedger

/// Shopify webhook topics → ledger events (docs/ingestion.md has the table, field by field).
///
/// Ids are Shopify's numeric ids as exact digits (`820982911946154508` stays that); amounts are Shopify's
/// decimal strings, unchanged; the order's id is its entity, so Stripe payments, the ERP and the warehouse
/// that name it land on its trace.
enum ShopifyMapping {
    static func events(topic: String, resource: JSONValue) throws(MappingGap) -> [MappedEvent] {
        switch topic {
        case "orders/create": [try order(resource, type: "order.created")]
        case "orders/updated": [try order(resource, type: "order.updated")]
        case "orders/paid": [try paid(resource)]
        case "orders/cancelled": [try cancelled(resource)]
        case "orders/fulfilled": [try fulfilled(resource)]
        case "fulfillments/create": [try fulfillment(resource)]
        case "refunds/create": [try refund(resource)]
        case "inventory_levels/update": [try inventoryLevel(resource)]
        case "customers/create": [try customer(resource, type: "customer.created")]
        case "customers/update": [try customer(resource, type: "customer.updated")]
        default: throw MappingGap("the topic \(topic) has no mapping")
        }
    }

    /// The staff member a payload names (`user_id`: POS orders, refunds made in the admin).
    private static func staff(_ resource: JSONValue) -> String? {
        resource.id("user_id").map { "user:shopify-staff-\($0)" }
    }

    private static func time(_ resource: JSONValue, _ keys: String...) throws(MappingGap) -> String {
        for key in keys { if let text = resource.text(key) { return text } }
        throw MappingGap("the payload has none of \(keys.joined(separator: ", "))")
    }

    private static func order(_ order: JSONValue, type: String) throws(MappingGap) -> MappedEvent {
        let id = try order.required("id", order.id, in: "the order")
        let idNumber = try order.required("id", order.integer, in: "the order")
        let total = try order.required("total_price", order.text, in: "the order")
        let tax = order.text("total_tax") ?? "0.00"
        guard let grand = Money(total), let taxMoney = Money(tax) else {
            throw MappingGap("the order's total_price \(total) or total_tax \(tax) is not a decimal")
        }
        var payload: JSONObject = [
            "shopifyOrderId": .number(idNumber),
            "customerId": .string(order["customer"]?.id("id") ?? "guest:" + (order.text("email") ?? id)),
            "currency": .string(try order.required("currency", order.text, in: "the order")),
            "lines": .array(try lines(order["line_items"], in: "the order", withPrices: true)),
            "netTotal": .string((grand - taxMoney).description),
            "taxTotal": .string(tax),
            "grandTotal": .string(total),
        ]
        if let name = order.text("name") { payload["name"] = .string(name) }
        if let channel = order.text("source_name") {
            payload["channel"] = .string(String(channel.prefix(64)))
        }
        if let discounts = order.text("total_discounts") { payload["discountTotal"] = .string(discounts) }
        if let status = order.text("financial_status") { payload["financialStatus"] = .string(status) }
        return MappedEvent(
            type: type, entityId: id,
            occurredAt: type == "order.created"
                ? try time(order, "created_at", "updated_at") : try time(order, "updated_at", "created_at"),
            actor: staff(order), payload: payload)
    }

    /// An order line: the SKU (or the variant when a product has none), quantity and, for orders, the price.
    private static func lines(_ items: JSONValue?, in what: String, withPrices: Bool) throws(MappingGap)
        -> [JSONValue]
    {
        guard let items = items?.arrayValue, !items.isEmpty else {
            throw MappingGap("\(what) has no line_items")
        }
        var lines: [JSONValue] = []
        for item in items {
            guard let quantity = item.integer("quantity"), let count = quantity.int64Value, count >= 1 else {
                throw MappingGap("a line item of \(what) has no quantity of at least 1")
            }
            let sku = item.text("sku") ?? item.id("variant_id").map { "shopify-variant-\($0)" }
            guard let sku else { throw MappingGap("a line item of \(what) has neither sku nor variant_id") }
            var line: JSONObject = ["sku": .string(sku), "quantity": .number(quantity)]
            if let name = item.text("name") ?? item.text("title") {
                line["name"] = .string(String(name.prefix(1000)))
            }
            if withPrices {
                line["unitPrice"] = .string(
                    try item.required("price", item.text, in: "a line item of \(what)"))
            }
            lines.append(.object(line))
        }
        return lines
    }

    /// `orders/paid`: the shop took the money — a capture on the order's payment stream.
    private static func paid(_ order: JSONValue) throws(MappingGap) -> MappedEvent {
        let id = try order.required("id", order.id, in: "the order")
        var payload: JSONObject = [
            "orderId": .string(id),
            "amount": .string(try order.required("total_price", order.text, in: "the order")),
            "currency": .string(try order.required("currency", order.text, in: "the order")),
            "provider": "shopify",
        ]
        if let gateways = order["payment_gateway_names"]?.arrayValue?.compactMap(\.stringValue),
            !gateways.isEmpty
        {
            payload["method"] = .string(String(gateways.joined(separator: ",").prefix(64)))
        }
        return MappedEvent(
            type: "payment.captured", entityId: "shopify-order-\(id)",
            occurredAt: try time(order, "processed_at", "updated_at"), actor: staff(order), payload: payload)
    }

    private static func cancelled(_ order: JSONValue) throws(MappingGap) -> MappedEvent {
        let id = try order.required("id", order.id, in: "the order")
        return MappedEvent(
            type: "order.cancelled", entityId: id, occurredAt: try time(order, "cancelled_at", "updated_at"),
            actor: staff(order),
            payload: ["reason": .string(order.text("cancel_reason") ?? "cancelled in Shopify")])
    }

    private static func fulfilled(_ order: JSONValue) throws(MappingGap) -> MappedEvent {
        let id = try order.required("id", order.id, in: "the order")
        let last = order["fulfillments"]?.arrayValue?.last
        var payload: JSONObject = [
            "warehouse": .string(last?.id("location_id").map { "shopify-location-\($0)" } ?? "shopify"),
            "lines": .array(try lines(order["line_items"], in: "the order", withPrices: false)),
        ]
        if let carrier = last?.text("tracking_company") { payload["carrier"] = .string(carrier) }
        if let tracking = last?.text("tracking_number") { payload["trackingNumber"] = .string(tracking) }
        return MappedEvent(
            type: "order.fulfilled", entityId: id, occurredAt: try time(order, "updated_at", "created_at"),
            actor: staff(order), payload: payload)
    }

    private static func fulfillment(_ fulfillment: JSONValue) throws(MappingGap) -> MappedEvent {
        let orderId = try fulfillment.required("order_id", fulfillment.id, in: "the fulfillment")
        var payload: JSONObject = [
            "warehouse": .string(fulfillment.id("location_id").map { "shopify-location-\($0)" } ?? "shopify"),
            "lines": .array(try lines(fulfillment["line_items"], in: "the fulfillment", withPrices: false)),
        ]
        if let id = fulfillment.id("id") { payload["shopifyFulfillmentId"] = .string(id) }
        if let carrier = fulfillment.text("tracking_company") { payload["carrier"] = .string(carrier) }
        if let tracking = fulfillment.text("tracking_number") {
            payload["trackingNumber"] = .string(tracking)
        }
        return MappedEvent(
            type: "order.fulfilled", entityId: orderId,
            occurredAt: try time(fulfillment, "created_at", "updated_at"), actor: staff(fulfillment),
            payload: payload)
    }

    /// `refunds/create`: the money of the refund's successful refund transactions, on the order's payment.
    private static func refund(_ refund: JSONValue) throws(MappingGap) -> MappedEvent {
        let orderId = try refund.required("order_id", refund.id, in: "the refund")
        let transactions = (refund["transactions"]?.arrayValue ?? []).filter {
            $0.text("kind") == "refund" && ($0.text("status") ?? "success") == "success"
        }
        var amount = Money.zero
        var currency: String?
        for transaction in transactions {
            guard let text = transaction.text("amount"), let value = Money(text) else {
                throw MappingGap("a refund transaction has no decimal amount")
            }
            amount += value
            currency = currency ?? transaction.text("currency")
        }
        guard !transactions.isEmpty else {
            throw MappingGap("the refund has no successful refund transaction")
        }
        var payload: JSONObject = [
            "orderId": .string(orderId), "amount": .string(amount.description), "provider": "shopify",
        ]
        if let currency { payload["currency"] = .string(currency) }
        if let note = refund.text("note") { payload["reason"] = .string(String(note.prefix(1000))) }
        if let id = refund.id("id") { payload["shopifyRefundId"] = .string(id) }
        return MappedEvent(
            type: "payment.refunded", entityId: "shopify-order-\(orderId)",
            occurredAt: try time(refund, "processed_at", "created_at"), actor: staff(refund), payload: payload
        )
    }

    /// `inventory_levels/update`: Shopify's available count of an item at a location, as a count.
    private static func inventoryLevel(_ level: JSONValue) throws(MappingGap) -> MappedEvent {
        let item = try level.required("inventory_item_id", level.id, in: "the inventory level")
        let location = try level.required("location_id", level.id, in: "the inventory level")
        let available = try level.required("available", level.integer, in: "the inventory level")
        let sku = "shopify-item-\(item)"
        let warehouse = "shopify-location-\(location)"
        return MappedEvent(
            type: "stock.counted", entityId: "\(sku)@\(warehouse)", occurredAt: try time(level, "updated_at"),
            payload: ["sku": .string(sku), "warehouse": .string(warehouse), "onHand": .number(available)])
    }

    private static func customer(_ customer: JSONValue, type: String) throws(MappingGap) -> MappedEvent {
        let id = try customer.required("id", customer.id, in: "the customer")
        var payload: JSONObject = ["shopifyCustomerId": .string(id)]
        if let email = customer.text("email") { payload["email"] = .string(email) }
        let name = [customer.text("first_name"), customer.text("last_name")].compactMap { $0 }.joined(
            separator: " ")
        if !name.isEmpty { payload["name"] = .string(String(name.prefix(1000))) }
        if let address = customer["default_address"], let mapped = Self.address(address) {
            payload["billingAddress"] = mapped
        }
        return MappedEvent(
            type: type, entityId: id,
            occurredAt: type == "customer.created"
                ? try time(customer, "created_at", "updated_at")
                : try time(customer, "updated_at", "created_at"),
            payload: payload)
    }

    private static func address(_ address: JSONValue) -> JSONValue? {
        var mapped: JSONObject = [:]
        if let line = address.text("address1") { mapped["line1"] = .string(line) }
        if let line = address.text("address2") { mapped["line2"] = .string(line) }
        if let city = address.text("city") { mapped["city"] = .string(city) }
        if let zip = address.text("zip") { mapped["postalCode"] = .string(zip) }
        if let region = address.text("province") { mapped["region"] = .string(region) }
        if let country = address.text("country_code") { mapped["country"] = .string(country) }
        return mapped.isEmpty ? nil : .object(mapped)
    }
}
