import JSONKit
public import TraceLedger

/// Turns one provider delivery into the ledger events it means: pure, no I/O (the server and
/// `traceledger ingest` append the result, with the raw body as evidence).
///
/// ```swift
/// let mapped = try DeliveryMapper().events(for: delivery)
/// _ = try await ledger.append(mapped.events, evidence: delivery.body)
/// ```
///
/// A delivery whose topic has no mapping, or whose payload lacks what the mapping needs, is still recorded,
/// as one `ledger.webhook_unmapped` event: the provider gets its 200 and stops retrying, and nothing is lost.
///
/// Sendable: configuration only.
public struct DeliveryMapper: Sendable {
    /// The Stripe metadata key that holds the shop's order id (`--stripe-order-key`).
    public var stripeOrderKey: String
    private let builder = EnvelopeBuilder(decoder: EventDecoder())

    public init(stripeOrderKey: String = "order_id") { self.stripeOrderKey = stripeOrderKey }

    /// What a delivery became.
    public struct Mapped: Sendable {
        /// One atomic batch; never empty.
        public let events: [ProposedEvent]
        /// Why the delivery was kept unmapped, or nil when it was mapped.
        public let unmappedReason: String?
    }

    /// - Throws: `IngestError` `.malformed` when the body is not a JSON object.
    public func events(for delivery: ProviderDelivery) throws(IngestError) -> Mapped {
        let resource = try Self.object(delivery.body, provider: delivery.provider)
        let evidence: JSONValue = .object([
            "provider": .string(delivery.provider.rawValue), "topic": .string(delivery.topic),
            "deliveryId": .string(delivery.deliveryId),
            "sha256": .string(DeliveryEvidence.digest(of: delivery.body)),
        ])
        let mapped: Result<[ProposedEvent], MappingGap> = Result { () throws(MappingGap) in
            let events: [MappedEvent]
            switch delivery.provider {
            case .shopify: events = try ShopifyMapping.events(topic: delivery.topic, resource: resource)
            case .stripe:
                events = try StripeMapping(orderKey: stripeOrderKey).events(
                    type: delivery.topic, event: resource)
            }
            return try build(events, of: delivery, evidence: evidence)
        }
        switch mapped {
        case .success(let events): return Mapped(events: events, unmappedReason: nil)
        case .failure(let gap):
            return Mapped(
                events: [try unmapped(delivery, reason: gap.reason, evidence: evidence, resource: resource)],
                unmappedReason: gap.reason)
        }
    }

    /// The mapped events as validated envelopes, each with the delivery as its evidence; a gap when one of
    /// them does not meet its schema (a mapping must never make the provider retry).
    private func build(_ mapped: [MappedEvent], of delivery: ProviderDelivery, evidence: JSONValue)
        throws(MappingGap) -> [ProposedEvent]
    {
        var events: [ProposedEvent] = []
        for (index, event) in mapped.enumerated() {
            var payload = event.payload
            payload[DeliveryEvidence.payloadKey] = evidence
            let built = Result { () throws(LedgerError) in
                try builder.event(
                    .init(
                        eventId: delivery.eventId(index: index), type: event.type, entityId: event.entityId,
                        origin: delivery.origin, actor: event.actor ?? delivery.serviceActor,
                        occurredAt: event.occurredAt),
                    payload: JSONValue.object(payload).serializedBytes())
            }
            switch built {
            case .success(let proposed): events.append(proposed)
            case .failure(let error):
                throw MappingGap(
                    "the mapped \(event.type) would be invalid: \(error.field.map { "\($0): " } ?? "")\(error.message)"
                )
            }
        }
        return events
    }

    /// The delivery kept as it came: `ledger.webhook_unmapped`, the raw body as evidence.
    private func unmapped(
        _ delivery: ProviderDelivery, reason: String, evidence: JSONValue, resource: JSONValue
    )
        throws(IngestError) -> ProposedEvent
    {
        let payload: JSONObject = [
            "provider": .string(delivery.provider.rawValue), "topic": .string(delivery.topic),
            "deliveryId": .string(delivery.deliveryId), "reason": .string(String(reason.prefix(1000))),
            DeliveryEvidence.payloadKey: evidence,
        ]
        do {
            return try builder.event(
                .init(
                    eventId: delivery.eventId(index: 0), type: "ledger.webhook_unmapped",
                    entityId: String("\(delivery.provider.rawValue):\(delivery.deliveryId)".prefix(200)),
                    origin: delivery.origin, actor: delivery.serviceActor,
                    occurredAt: Self.time(of: resource)),
                payload: JSONValue.object(payload).serializedBytes())
        } catch {
            throw IngestError(.malformed, "the delivery cannot be recorded: \(error.message)")
        }
    }

    /// When the change happened, as far as the body says (so a redelivery maps to the same event): Stripe's
    /// `created`, a Shopify resource's `updated_at` or `created_at`; else now.
    static func time(of resource: JSONValue) -> String {
        if let created = resource.integer("created")?.int64Value {
            return Timestamp(nanosecondsSinceEpoch: created * 1_000_000_000).rfc3339
        }
        for key in ["updated_at", "created_at"] {
            if let text = resource.text(key), Timestamp(rfc3339: text) != nil { return text }
        }
        return Timestamp.now().rfc3339
    }

    /// The body as a JSON object.
    static func object(_ body: [UInt8], provider: Provider) throws(IngestError) -> JSONValue {
        let document: JSONDocument
        do {
            document = try body.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw IngestError(.malformed, "the \(provider.rawValue) body is not JSON: \(error)")
        }
        guard case .object = document.value else {
            throw IngestError(.malformed, "the \(provider.rawValue) body is not a JSON object")
        }
        return document.value
    }
}

extension ProviderDelivery {
    /// A Stripe delivery: the event's `id`, `type`, `account` and `livemode` come from its body.
    ///
    /// - Throws: `IngestError` `.malformed` when the body is not a Stripe event.
    public static func stripe(body: [UInt8], isBackfill: Bool = false) throws(IngestError) -> ProviderDelivery
    {
        let event = try DeliveryMapper.object(body, provider: .stripe)
        guard let id = event.text("id"), let type = event.text("type") else {
            throw IngestError(.malformed, "the Stripe body is not an event: it needs an id and a type")
        }
        let mode = event["livemode"]?.boolValue == true ? "live" : "test"
        return ProviderDelivery(
            provider: .stripe, topic: type, deliveryId: id,
            scope: (event.text("account") ?? "platform") + "/" + mode,
            body: body, isBackfill: isBackfill)
    }
}
