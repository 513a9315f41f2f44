/// Flows started by people rather than by an order: support merging a duplicate customer, and an
/// operator re-driving a downstream consumer and handling its dead letters.
extension FlowFactory {
    /// `customer.merged` on the duplicate, pointing at the original.
    mutating func planCustomerMerge(duplicate: Int, into original: Int, at start: Int64) -> GeneratedFlow? {
        let duplicateId = customers.identity(duplicate).customerId
        let originalId = customers.identity(original).customerId
        var flow = FlowRecorder(index: claimIndex(), startMilliseconds: start, random: &random)
        var payload = JSONObjectWriter()
        payload.add("intoCustomerId", originalId)
        payload.add("reason", "duplicate account")
        flow.record(
            "customer.merged", entity: duplicateId, origin: "shopify-admin", actor: random.pick(Self.staff),
            payload: payload.finish(), random: &random)
        return flow.flow(.customerMerge, mergedCustomer: (duplicateId, originalId))
    }

    /// A replay of one consumer, then one dead letter retried and another discarded.
    mutating func planLedgerOperations(at start: Int64) -> GeneratedFlow? {
        let consumer = random.pick(["erp-feed", "analytics-export", "search-indexer"])
        let sink = ["erp-feed": "webhook", "analytics-export": "ndjson-file", "search-indexer": "nats"][
            consumer]!
        let actor = random.pick(["user:carla.ops@example.com", "user:ops-oncall@example.com"])
        // Positions are approximate (about ten events per flow so far); they only need to be ≥ 1.
        let approximateHead = max(2, nextIndex * 10)
        var flow = FlowRecorder(index: claimIndex(), startMilliseconds: start, random: &random)
        var replay = JSONObjectWriter()
        replay.add("consumer", consumer)
        replay.add("sink", sink)
        replay.add("fromPosition", random.nextInt(in: 1...approximateHead))
        flow.record(
            "ledger.replay_started", entity: consumer, origin: "traceledger", actor: actor,
            payload: replay.finish(), random: &random)
        flow.advance(30_000...600_000, &random)
        var retried = JSONObjectWriter()
        retried.add("consumer", consumer)
        retried.add("position", random.nextInt(in: 1...approximateHead))
        retried.add("reason", "downstream maintenance window over")
        flow.record(
            "ledger.dead_letter_retried", entity: consumer, origin: "traceledger", actor: actor,
            payload: retried.finish(), random: &random)
        flow.advance(5_000...120_000, &random)
        var discarded = JSONObjectWriter()
        discarded.add("consumer", consumer)
        discarded.add("position", random.nextInt(in: 1...approximateHead))
        discarded.add("reason", "payload rejected permanently (HTTP 422): order already exists")
        flow.record(
            "ledger.dead_letter_discarded", entity: consumer, origin: "traceledger", actor: actor,
            payload: discarded.finish(), random: &random)
        return flow.flow(.ledgerOperations)
    }
}
