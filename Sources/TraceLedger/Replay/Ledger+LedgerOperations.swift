import JSONKit

extension Ledger {
    /// Appends one of the ledger's own operations (domain `ledger`, origin `traceledger`): a replay started,
    /// a dead letter retried or discarded. The audit trail covers the audit tool.
    ///
    /// - Parameters:
    ///   - traceId: the trace the operation belongs to (a dead letter's trace), or nil for a new one.
    ///   - payload: the payload's JSON, checked against the type's schema like any other event.
    @discardableResult
    public func appendLedgerOperation(
        type: String, entityId: String, traceId: String?, actor: String, payload: String
    ) async throws -> AppendOutcome {
        try await append(
            Self.ledgerOperation(
                type: type, entityId: entityId, traceId: traceId, actor: actor, payload: payload))
    }

    /// The event of one of the ledger's own operations, validated like any other (see `appendLedgerOperation`);
    /// its domain is its type's (`customer.erased` is the customer's).
    static func ledgerOperation(
        type: String, entityId: String, traceId: String?, actor: String, payload: String
    ) throws -> ProposedEvent {
        let trace = traceId ?? String(EventID.random().description.filter { $0 != "-" })
        let envelope =
            "{\"traceId\":\(JSONString.quoted(trace)),\"domain\":\(JSONString.quoted(String(type.prefix { $0 != "." }))),"
            + "\"entityId\":\(JSONString.quoted(entityId)),"
            + "\"type\":\(JSONString.quoted(type)),\"origin\":\"traceledger\",\"actor\":\(JSONString.quoted(actor)),"
            + "\"occurredAt\":\"\(Timestamp.now().rfc3339)\",\"payload\":\(payload)}"
        return try EventDecoder().decode(envelope)
    }
}
