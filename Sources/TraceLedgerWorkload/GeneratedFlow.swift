/// One flow of the workload — an order's whole life, a delivery, a stock count, an operator's
/// action — with its events and the ground truth a test can check the ledger against.
///
/// Each flow has its own trace id. Flows are numbered from 0 in the order they start; the
/// event stream is all flows' events merged by (occurredAt, flow index, order within the flow).
///
/// Sendable: immutable values.
public struct GeneratedFlow: Sendable {
    /// What the flow is.
    public enum Kind: String, Sendable, CaseIterable {
        /// An order from creation to invoice (or to wherever it went wrong).
        case order
        /// Goods arrived in a warehouse (`stock.received`).
        case stockDelivery
        /// A cycle count (`stock.counted`).
        case stockCount
        /// A manual stock correction (`stock.adjusted`).
        case stockAdjustment
        /// Support merged a duplicate customer (`customer.merged`).
        case customerMerge
        /// An operator replayed a consumer and handled dead letters (`ledger.*`).
        case ledgerOperations
    }

    /// Position of the flow in start order, from 0; `GeneratedEvent.flowIndex` refers to it.
    public let index: Int
    /// What the flow is.
    public let kind: Kind
    /// 32 lower-case hex digits.
    public let traceId: String
    /// The flow's events in occurredAt order.
    public let events: [GeneratedEvent]
    /// What happened to the order, for `.order` flows.
    public let order: OrderOutcome?
    /// For `.customerMerge`: the duplicate customer and the one it was merged into.
    public let mergedCustomer: (duplicateId: String, intoId: String)?
}

/// The ground truth of one order flow. Amounts are the decimal strings used in the events.
///
/// Sendable: plain values.
public struct OrderOutcome: Sendable, Hashable {
    /// `SO-100001`…, the order stream's entity.
    public var orderId: String
    /// `CUST-000001`…, the customer stream's entity.
    public var customerId: String
    /// The flow created the customer (`customer.created`).
    public var isNewCustomer: Bool
    /// Set when the customer is a planted duplicate of this earlier customer.
    public var duplicateOfCustomerId: String?
    /// `EUR`, `USD` or `GBP`.
    public var currency: String
    /// The order's final totals (after any `order.updated`): net + tax = grand, exactly.
    public var netTotal: String
    public var taxTotal: String
    public var grandTotal: String
    /// The order was changed after creation (`order.updated`).
    public var wasUpdated = false
    /// Stripe payment intent id, the payment stream's entity.
    public var paymentId: String
    /// The card was declined (`payment.failed`); the order was cancelled and its stock released.
    public var paymentFailed = false
    /// Amount captured, `nil` when the payment failed.
    public var capturedAmount: String?
    /// The ERP never accepted the order although it was paid (planted).
    public var missingERP = false
    /// `order.accepted` was emitted, with `erpOrderId`.
    public var erpAccepted = false
    /// `order.rejected` after capture (planted); stock released, money not refunded.
    public var erpRejected = false
    /// The ERP's order number, when accepted.
    public var erpOrderId: String?
    /// `order.cancelled` was emitted.
    public var cancelled = false
    /// Shipped: `stock.shipped` per line and `order.fulfilled`.
    public var fulfilled = false
    /// Stocks (`SKU@WAREHOUSE`) this order reserved, in line order.
    public var stockEntities: [String] = []
    /// Planted oversold stocks among `stockEntities`; the order waits for stock (not shipped).
    public var oversoldStockEntities: [String] = []
    /// `INV-100001`…, the invoice stream's entity, when invoiced.
    public var invoiceId: String?
    /// The invoice's own taxTotal and grandTotal (equal to the order's unless `invoiceTaxMismatch`).
    public var invoiceTaxTotal: String?
    public var invoiceGrandTotal: String?
    /// The invoice's taxTotal differs from the order's (planted).
    public var invoiceTaxMismatch = false
    /// Amount of the refund (the whole order or its first line), when refunded.
    public var refundedAmount: String?
    /// The credit note (`invoice.credited`) for the refund, when issued.
    public var creditNoteId: String?
    /// A refund was made and no credit note followed (planted).
    public var refundWithoutCreditNote = false
}
