import JSONKit
import TraceLedger
import TraceLedgerTesting

/// Hand-made events for projection tests: each at a minute after 09:00 on 2 November 2026.
enum Events {
    static func at(_ minute: Int) -> String {
        "2026-11-02T\(String(9 + minute / 60).leftPadded()):\(String(minute % 60).leftPadded()):00.000Z"
    }

    static func make(
        _ type: String, _ entity: String, _ payload: String, minute: Int = 0,
        trace: String = EventLine.defaultTrace
    )
        -> String
    {
        EventLine.make(type: type, entityId: entity, payload: payload, traceId: trace, occurredAt: at(minute))
    }

    /// A paid order flow up to capture: created, authorized, captured (minutes 0, 1, 2 after `start`).
    static func paidOrder(_ order: String, payment: String, amount: String = "23.80", start: Int = 0)
        -> [String]
    {
        [
            make(
                "order.created", order,
                #"{"customerId":"CUST-1","currency":"EUR","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":"10.00"}],"netTotal":"20.00","taxTotal":"3.80","grandTotal":"\#(amount)"}"#,
                minute: start),
            make(
                "payment.authorized", payment,
                #"{"orderId":"\#(order)","amount":"\#(amount)","currency":"EUR"}"#, minute: start + 1),
            make(
                "payment.captured", payment,
                #"{"orderId":"\#(order)","amount":"\#(amount)","currency":"EUR"}"#, minute: start + 2),
        ]
    }
}

extension TemporaryStore {
    /// Appends `lines` as one batch and catches the projections up.
    @discardableResult
    func project(_ lines: [String]) async throws -> ProjectionEngine {
        _ = try await ledger.append(ndjson: lines.joined(separator: "\n"))
        let projections = ProjectionEngine(ledger: ledger)
        try await projections.catchUp()
        return projections
    }
}

extension String {
    fileprivate func leftPadded() -> String { count < 2 ? "0" + self : self }
}

extension EntitySnapshot {
    /// A field as a person reads it: strings bare, anything else as JSON.
    subscript(_ field: String) -> String? {
        guard let value = fields[field] else { return nil }
        return value.stringValue ?? value.serialized()
    }
}
