import JSONKit
import Testing
import TraceLedger
import TraceLedgerTesting
import TraceLedgerWorkload

/// State as of an earlier instant, folded from the entity's own events, equals the projection of the log's
/// prefix up to that instant.
@Suite struct TimeTravelTests {
    @Test func asOfAtManyInstantsEqualsTheFoldOfThePrefix() async throws {
        let store = try TemporaryStore()
        let lines = WorkloadGenerator.lines(seed: 19, count: 6_000)
        let decoder = EventDecoder()
        let projections = ProjectionEngine(ledger: store.ledger)
        let flows = Array(WorkloadGenerator(seed: 19).flows().prefix(40)).compactMap(\.order)
        var entities = flows.prefix(25).flatMap { order in
            [
                StreamKey(domain: .order, entityId: order.orderId),
                StreamKey(domain: .payment, entityId: order.paymentId),
                StreamKey(domain: .customer, entityId: order.customerId),
            ]
                + order.stockEntities.map { StreamKey(domain: .stock, entityId: $0) }
                + (order.invoiceId.map { [StreamKey(domain: .invoice, entityId: $0)] } ?? [])
        }
        entities = Array(Set(entities.map(\.description))).sorted().compactMap { name in
            entities.first { $0.description == name }
        }
        // The projection after each prefix, for every entity: what as-of must reproduce.
        var expected: [(position: UInt64, states: [String: EntitySnapshot])] = []
        for end in stride(from: 150, through: lines.count, by: 150) {
            _ = try await store.ledger.append(try lines[(end - 150)..<end].map { try decoder.decode($0) })
            try await projections.catchUp()
            var states: [String: EntitySnapshot] = [:]
            for entity in entities { states[entity.description] = try projections.state(of: entity) }
            expected.append((UInt64(end), states))
        }
        var compared = 0
        for (position, states) in expected {
            for entity in entities {
                var want = states[entity.description]
                if entity.domain == .customer, let state = want {
                    // As-of states leave out `duplicates`, which come from other customers' streams.
                    var fields = state.fields
                    fields["duplicates"] = nil
                    want = EntitySnapshot(
                        domain: state.domain, entityId: state.entityId, fields: fields,
                        lastPosition: state.lastPosition)
                }
                let got = try projections.state(of: entity, asOf: LogInstant(position: position))
                #expect(got == want, "\(entity) as of \(position)")
                compared += 1
            }
        }
        #expect(compared > 1_000)
    }

    @Test func asOfATimeAndOccurredBeforeAndDiffNameTheChangingEvents() async throws {
        let store = try TemporaryStore()
        let lines =
            Events.paidOrder("SO-1", payment: "pi_1", amount: "40.00")
            + [
                Events.make("order.accepted", "SO-1", #"{"erpOrderId":"451"}"#, minute: 30),
                Events.make(
                    "order.fulfilled", "SO-1", #"{"warehouse":"W","lines":[{"sku":"SKU-1","quantity":2}]}"#,
                    minute: 40),
                Events.make("payment.refunded", "pi_1", #"{"orderId":"SO-1","amount":"40.00"}"#, minute: 50),
            ]
        _ = try await store.ledger.append(ndjson: lines.prefix(4).joined(separator: "\n"))
        let between = Timestamp.now()
        _ = try await store.ledger.append(ndjson: lines.dropFirst(4).joined(separator: "\n"))
        let projections = ProjectionEngine(ledger: store.ledger)
        try await projections.catchUp()
        let order = StreamKey(domain: .order, entityId: "SO-1")
        let recorded = try #require(
            try projections.state(of: order, asOf: LogInstant(recordedAtOrBefore: between)))
        #expect(recorded["status"] == "accepted")
        let occurred = try #require(
            try projections.state(
                of: order, asOf: LogInstant(occurredBefore: try #require(Timestamp(rfc3339: Events.at(45))))))
        #expect(occurred["status"] == "fulfilled")
        #expect(occurred["refunded"] == "0")
        #expect(try projections.state(of: order, asOf: LogInstant(position: 0)) == nil)
        let changes = try projections.diff(
            of: order, from: LogInstant(position: 4), to: LogInstant(position: 6))
        let status = try #require(changes.first { $0.field == "status" })
        #expect(status.from == "accepted")
        #expect(status.to == "refunded")
        #expect(status.changedBy.map(\.position) == [5, 6])
        #expect(changes.first { $0.field == "refunded" }?.changedBy.map(\.type) == ["payment.refunded"])
        #expect(!changes.contains { $0.field == "captured" })
    }
}
