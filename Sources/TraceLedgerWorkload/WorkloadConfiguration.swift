/// Everything that shapes a workload: the seed, the start time, the pace, and how often each
/// kind of trouble is planted.
///
/// Rates are probabilities in 0...1 drawn per order flow unless the property says otherwise.
/// Two generators with equal configurations produce byte-identical output on any machine.
///
/// ```swift
/// var configuration = WorkloadConfiguration.realistic
/// configuration.seed = 42
/// configuration.refundRate = 0.2
/// for event in WorkloadGenerator(configuration).prefix(1000) { print(event.line) }
/// ```
///
/// Sendable: plain values.
public struct WorkloadConfiguration: Sendable, Equatable {
    /// The seed of every random choice.
    public var seed: UInt64
    /// When the first flow starts, in milliseconds since the Unix epoch (UTC).
    public var startMilliseconds: Int64
    /// Mean gap between the starts of two order flows (uniform in 0...2×mean).
    public var meanOrderIntervalMilliseconds: Int64 = 2_500
    /// Number of distinct SKUs (`SKU-00001`…); popularity is skewed towards low numbers.
    public var catalogSize: Int = 400

    /// An order comes from an existing customer (no `customer.created`).
    public var returningCustomerRate: Double = 0.6
    /// A new customer is a duplicate of an earlier one (same e-mail in other case or with
    /// surrounding whitespace, or — for business customers — the same VAT id). Per new customer.
    public var duplicateCustomerRate: Double = 0.03
    /// A duplicate is later merged by support (`customer.merged`, its own trace). Per duplicate.
    public var customerMergeRate: Double = 0.5
    /// A returning customer's address or name changes before the order (`customer.updated`).
    public var customerUpdateRate: Double = 0.04
    /// The shopper changes a quantity right after ordering (`order.updated` with new totals).
    public var orderUpdateRate: Double = 0.03

    /// The card is declined: payment.failed, order.cancelled, stock.released per line.
    public var paymentFailureRate: Double = 0.03
    /// The ERP never picks the order up although the payment was captured.
    public var missingERPRate: Double = 0.01
    /// The ERP rejects the order after capture (order.rejected, stock.released per line).
    public var erpRejectionRate: Double = 0.005
    /// The invoice's taxTotal differs from the order's by a few cents.
    public var invoiceTaxMismatchRate: Double = 0.005
    /// A staff member refunds all or part of a fulfilled order (payment.refunded, invoice.credited).
    public var refundRate: Double = 0.04
    /// A refund gets no credit note (no invoice.credited). Per refund.
    public var refundWithoutCreditNoteRate: Double = 0.15

    /// How many SKU × warehouse stocks are deliberately oversold (reservations beyond on-hand);
    /// each is planted the first time the SKU needs stock, with probability `oversellChance`.
    public var oversoldStockCount: Int = 3
    /// Chance that a stock needing its first delivery becomes one of the oversold ones.
    public var oversellChance: Double = 0.05
    /// A cycle count (stock.counted, sometimes finding shrinkage) follows an order flow.
    public var stockCountRate: Double = 0.12
    /// A manual correction (stock.adjusted: damaged, found, …) follows an order flow.
    public var stockAdjustmentRate: Double = 0.05
    /// An operator replays a consumer and handles dead letters (ledger.* events).
    public var ledgerOperationsRate: Double = 0.005

    /// A configuration with the defaults above and the given seed and start.
    public init(seed: UInt64 = 1, startMilliseconds: Int64 = WorkloadConfiguration.defaultStartMilliseconds) {
        self.seed = seed
        self.startMilliseconds = startMilliseconds
    }

    /// 2026-11-02T09:00:00.000Z.
    public static let defaultStartMilliseconds: Int64 = 1_793_610_000_000

    /// Defaults tuned to a mid-sized merchant: about 10 events per order, a few percent of trouble.
    public static let realistic = WorkloadConfiguration()

    /// The start time in nanoseconds since the epoch; setting it drops sub-millisecond digits
    /// (events carry milliseconds).
    public var startNanoseconds: Int64 {
        get { startMilliseconds * 1_000_000 }
        set { startMilliseconds = newValue / 1_000_000 }
    }
}
