import LMDBKit
import Testing
import TraceLedger
import TraceLedgerTesting

/// One order, one trace, without anyone passing a trace id: events without one join their order's trace.
@Suite struct OrderTraceTests {
    let order =
        #"{"customerId":"CUST-1","currency":"EUR","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":"10.00"}],"netTotal":"20.00","taxTotal":"3.80","grandTotal":"23.80","shopifyOrderId":820982911946154508}"#
    let capture = #"{"orderId":"SO-1","amount":"23.80","currency":"EUR","providerPaymentId":"pi_77"}"#

    func append(_ store: TemporaryStore, _ lines: String...) async throws -> [AppendOutcome] {
        try await store.ledger.append(EventDecoder().decodeBatch(lines.joined(separator: "\n")).get())
    }

    @Test func aShopPaymentERPAndWarehouseEventLandOnTheOrdersTrace() async throws {
        let store = try TemporaryStore()
        _ = try await append(
            store, EventLine.make(type: "order.created", entityId: "SO-1", payload: order, traceId: nil))
        _ = try await append(
            store, EventLine.make(type: "payment.captured", entityId: "PAY-1", payload: capture, traceId: nil)
        )
        _ = try await append(
            store,
            EventLine.make(
                type: "order.accepted", entityId: "SO-1", payload: #"{"erpOrderId":"4500012345"}"#,
                traceId: nil,
                origin: "erp"))
        _ = try await append(
            store,
            EventLine.make(
                type: "stock.reserved", entityId: "SKU-1@WH-BER",
                payload: #"{"quantity":2,"orderId":"SO-1"}"#,
                traceId: nil, origin: "wms"))
        let trace = try #require(try store.ledger.trace(ofOrder: "SO-1"))
        #expect(trace.count == 32 && trace.allSatisfy(\.isHexDigit))
        let timeline = try store.ledger.events(forTrace: trace)
        #expect(
            timeline.map(\.type) == ["order.created", "payment.captured", "order.accepted", "stock.reserved"])
        // The ERP's number, the shop's numeric id and the payment's id all find the same trace.
        for id in ["4500012345", "820982911946154508", "pi_77", "PAY-1"] {
            #expect(try store.ledger.trace(ofOrder: id) == trace, "\(id)")
        }
        #expect(try store.ledger.verifyIndexes().isEmpty)
    }

    @Test func aPaymentBeforeItsOrderGetsTheTraceTheOrderWillHave() async throws {
        let store = try TemporaryStore()
        _ = try await append(
            store, EventLine.make(type: "payment.captured", entityId: "PAY-1", payload: capture, traceId: nil)
        )
        _ = try await append(
            store, EventLine.make(type: "order.created", entityId: "SO-1", payload: order, traceId: nil))
        let events = try store.ledger.events(matching: EventQuery())
        #expect(events.count == 2 && events[0].traceId == events[1].traceId)
    }

    @Test func aGivenTraceIsKeptAndLaterEventsJoinIt() async throws {
        let store = try TemporaryStore()
        _ = try await append(
            store,
            EventLine.make(type: "order.created", entityId: "SO-1", payload: order, traceId: "incident-42"))
        _ = try await append(
            store, EventLine.make(type: "payment.captured", entityId: "PAY-1", payload: capture, traceId: nil)
        )
        #expect(try store.ledger.events(forTrace: "incident-42").count == 2)
    }

    @Test func oneBatchOfUntracedEventsSharesOneTrace() async throws {
        let store = try TemporaryStore()
        let outcomes = try await append(
            store, EventLine.make(type: "order.created", entityId: "SO-1", payload: order, traceId: nil),
            EventLine.make(type: "payment.captured", entityId: "PAY-1", payload: capture, traceId: nil))
        let first = try #require(try store.ledger.event(at: outcomes[0].position))
        let second = try #require(try store.ledger.event(at: outcomes[1].position))
        #expect(first.traceId == second.traceId)
    }

    @Test func anUntracedEventSentAgainIsADuplicateNotAConflict() async throws {
        let store = try TemporaryStore()
        let line = EventLine.make(
            type: "payment.captured", entityId: "PAY-1", payload: capture, eventId: nil, traceId: nil)
        let first = try await append(store, line)
        let again = try await append(store, line)
        #expect(again[0].isDuplicate && again[0].position == first[0].position)
        #expect(try store.ledger.head().position == 1)
    }

    @Test func aCustomerWithoutOrderGetsATraceOfItsOwn() async throws {
        let store = try TemporaryStore()
        _ = try await append(
            store,
            EventLine.make(
                type: "customer.created", entityId: "CUST-1", payload: #"{"email":"a@example.com"}"#,
                traceId: nil))
        _ = try await append(
            store,
            EventLine.make(
                type: "customer.updated", entityId: "CUST-1", payload: #"{"vatId":"DE1"}"#, traceId: nil))
        let events = try store.ledger.events(matching: EventQuery())
        #expect(events[0].traceId == events[1].traceId && !events[0].traceId.isEmpty)
        #expect(try store.ledger.trace(ofOrder: "CUST-1") == nil)
    }

    @Test func repairRebuildsTheOrderIndexAndVerifyFindsItsDamage() async throws {
        let store = try TemporaryStore()
        _ = try await append(
            store, EventLine.make(type: "order.created", entityId: "SO-1", payload: order, traceId: nil))
        _ = try await append(
            store, EventLine.make(type: "payment.captured", entityId: "PAY-1", payload: capture, traceId: nil)
        )
        let trace = try #require(try store.ledger.trace(ofOrder: "SO-1"))
        #expect(try await store.ledger.repairIndexes() == 2)
        #expect(try store.ledger.trace(ofOrder: "pi_77") == trace)
        #expect(try store.ledger.verifyIndexes().isEmpty)
    }

    /// The entries of `orders`, read through LMDB directly.
    static func orderEntries(_ path: String) throws -> [String: String] {
        let environment = try Environment(path: path)
        return try environment.read { transaction in
            let orders = try environment.openDatabase(named: "orders", in: transaction)
            var entries: [String: String] = [:]
            try transaction.withCursor(on: orders) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    entries[String(decoding: current.key, as: UTF8.self)] = String(
                        decoding: current.value, as: UTF8.self)
                    entry = try cursor.next()
                }
            }
            return entries
        }
    }

    @Test func streamsAnswerForTheirOwnIdsAndAnOlderLayoutIsRebuiltOnOpen() async throws {
        let store = try TemporaryStore()
        // A payment that names its order before the order exists: SO-2 is first seen in a payload.
        _ = try await append(
            store,
            EventLine.make(
                type: "payment.captured", entityId: "PAY-2",
                payload: #"{"orderId":"SO-2","amount":"5.00","currency":"EUR","providerPaymentId":"pi_88"}"#,
                traceId: nil))
        _ = try await append(
            store, EventLine.make(type: "order.created", entityId: "SO-1", payload: order, traceId: nil))
        _ = try await append(
            store, EventLine.make(type: "payment.captured", entityId: "PAY-1", payload: capture, traceId: nil)
        )
        _ = try await append(
            store, EventLine.make(type: "order.created", entityId: "SO-2", payload: order, traceId: nil))
        let trace = try #require(try store.ledger.trace(ofOrder: "SO-1"))
        let early = try #require(try store.ledger.trace(ofOrder: "SO-2"))
        // Only ids first named in a payload are stored; the streams' own ids (SO-1, PAY-1, PAY-2) are not.
        let path = store.path
        #expect(
            try Self.orderEntries(path)
                == ["SO-2": early, "pi_88": early, "820982911946154508": trace, "pi_77": trace])
        #expect(try store.ledger.trace(ofOrder: "PAY-1") == trace)
        #expect(try store.ledger.trace(ofOrder: "PAY-2") == early)
        // SO-2 keeps the payment's trace: the first writer wins, the order that came later joined it.
        #expect(
            try store.ledger.events(forTrace: early).map(\.type) == ["payment.captured", "order.created"])

        // A store of the first layout (or one a build of that time appended to) held every reference, entity
        // ids included, and was marked by `orders.complete`.
        let environment = try Environment(path: path)
        try environment.write { transaction in
            let orders = try environment.openDatabase(named: "orders", in: transaction)
            let meta = try environment.openDatabase(named: "meta", in: transaction)
            try transaction.put(in: orders, key: Array("SO-1".utf8), value: Array(trace.utf8))
            try transaction.put(in: meta, key: Array("orders.complete".utf8), value: [1])
        }
        let reopened = try Ledger.open(at: path)
        #expect(try reopened.verifyIndexes().isEmpty)
        #expect(try Self.orderEntries(path)["SO-1"] == nil)
        #expect(try reopened.trace(ofOrder: "SO-1") == trace)
        let markers = try environment.read { transaction in
            let meta = try environment.openDatabase(named: "meta", in: transaction)
            return (
                try transaction.value(in: meta, key: Array("orders.complete".utf8)),
                try transaction.value(in: meta, key: Array("orders.layout".utf8))
            )
        }
        // Gone, so that a build of the first layout rebuilds the index its way before it trusts it.
        #expect(markers.0 == nil && markers.1 == [2])
    }
}
