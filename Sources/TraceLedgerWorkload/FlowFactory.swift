/// Plans the workload's flows one after another, in the order they start.
///
/// Order flows start at random intervals; each may schedule follow-up flows (a stock count, a
/// customer merge, …) for later, kept in a small queue and planned only when their start time
/// comes, so they see the stock book as it is then. Deliveries an order needs are planned just
/// before the order with the same start time and a smaller index, so they are emitted first.
///
/// All randomness comes from one `SplitMix64` in a fixed order; the factory's output is a pure
/// function of the configuration. Memory is bounded by the catalogue and the follow-up queue.
struct FlowFactory {
    /// A flow to plan later.
    enum FollowUp {
        case stockCount
        case stockAdjustment
        case customerMerge(duplicateNumber: Int, originalNumber: Int)
        case ledgerOperations
    }

    let configuration: WorkloadConfiguration
    var random: SplitMix64
    let catalog: ProductCatalog
    let customers: CustomerDirectory
    var stock = StockBook()

    var nextIndex = 0
    var nextOrderStartMilliseconds: Int64
    var orderCount = 0
    var customerCount = 0
    var invoiceCount = 0
    var creditNoteCount = 0
    var purchaseOrderCount = 0

    /// Follow-ups sorted by (start, sequence); a handful at a time.
    private var followUps: [(start: Int64, sequence: Int, followUp: FollowUp)] = []
    private var followUpSequence = 0
    /// Flows already planned and waiting to be handed out, in index order.
    private var ready: [GeneratedFlow] = []
    private var readyHead = 0

    init(configuration: WorkloadConfiguration) {
        self.configuration = configuration
        random = SplitMix64(seed: configuration.seed)
        catalog = ProductCatalog(size: configuration.catalogSize, seed: configuration.seed)
        customers = CustomerDirectory(
            seed: configuration.seed, duplicateRate: configuration.duplicateCustomerRate)
        nextOrderStartMilliseconds = configuration.startMilliseconds
    }

    /// The next flow in start order. Never ends.
    mutating func nextFlow() -> GeneratedFlow {
        while true {
            if readyHead < ready.count {
                let flow = ready[readyHead]
                readyHead += 1
                if readyHead == ready.count {
                    ready.removeAll(keepingCapacity: true)
                    readyHead = 0
                }
                return flow
            }
            if let first = followUps.first, first.start <= nextOrderStartMilliseconds {
                followUps.removeFirst()
                if let flow = planFollowUp(first.followUp, at: first.start) { return flow }
                continue
            }
            let start = nextOrderStartMilliseconds
            let interval = configuration.meanOrderIntervalMilliseconds
            nextOrderStartMilliseconds += random.nextInt64(in: 1...max(1, 2 * interval))
            planOrder(at: start)
        }
    }

    /// Claims the next flow index; flows must be claimed in start order.
    mutating func claimIndex() -> Int {
        defer { nextIndex += 1 }
        return nextIndex
    }

    /// Queues a planned flow to be handed out after those already queued.
    mutating func enqueue(_ flow: GeneratedFlow) {
        ready.append(flow)
    }

    /// Schedules a follow-up flow to start at `start` (not before the current order start).
    mutating func schedule(_ followUp: FollowUp, at start: Int64) {
        let entry = (start: start, sequence: followUpSequence, followUp: followUp)
        followUpSequence += 1
        let position =
            followUps.firstIndex { ($0.start, $0.sequence) > (entry.start, entry.sequence) }
            ?? followUps.count
        followUps.insert(entry, at: position)
    }

    private mutating func planFollowUp(_ followUp: FollowUp, at start: Int64) -> GeneratedFlow? {
        switch followUp {
        case .stockCount: return planStockCount(at: start)
        case .stockAdjustment: return planStockAdjustment(at: start)
        case .customerMerge(let duplicate, let original):
            return planCustomerMerge(duplicate: duplicate, into: original, at: start)
        case .ledgerOperations: return planLedgerOperations(at: start)
        }
    }
}
