import Foundation
import HTTPTypes
import Hummingbird
import JSONKit
import Logging
import TraceLedger
import TraceLedgerIngest

/// `POST /v1/webhooks/shopify` and `POST /v1/webhooks/stripe`: no bearer token, the provider's signature is
/// the credential. The signature is checked on the raw body before anything is parsed; a verified delivery
/// becomes its ledger events in one atomic batch with the body as evidence, once however often it comes.
struct WebhookRoutes {
    let ledger: Ledger
    let metrics: ServerMetrics
    let configuration: WebhookConfiguration
    let logger = Logger(label: "traceledger.webhooks")

    func shopify(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let secrets = configuration.shopifySecrets
        guard !secrets.isEmpty else {
            throw notConfigured(.shopify, "TRACELEDGER_SHOPIFY_SECRETS", "--shopify-secrets-file")
        }
        let body = try await Self.body(of: request)
        do {
            try ShopifySignature(secrets: secrets).verify(
                body: body, header: request.headers[Self.shopifyHmac])
        } catch {
            throw refused(.shopify, error, request: request)
        }
        guard let topic = request.headers[Self.shopifyTopic], !topic.isEmpty else {
            throw malformed(.shopify, "the delivery has no X-Shopify-Topic header")
        }
        guard let id = request.headers[Self.shopifyEventId] ?? request.headers[Self.shopifyWebhookId],
            !id.isEmpty
        else {
            throw malformed(.shopify, "the delivery has neither X-Shopify-Event-Id nor X-Shopify-Webhook-Id")
        }
        let shop = request.headers[Self.shopifyShopDomain] ?? "unknown-shop"
        return try await record(
            ProviderDelivery(provider: .shopify, topic: topic, deliveryId: id, scope: shop, body: body))
    }

    func stripe(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let secrets = configuration.stripeSecrets
        guard !secrets.isEmpty else {
            throw notConfigured(.stripe, "TRACELEDGER_STRIPE_SECRETS", "--stripe-secrets-file")
        }
        let body = try await Self.body(of: request)
        do {
            try StripeSignature(secrets: secrets, tolerance: configuration.stripeTolerance).verify(
                body: body, header: request.headers[Self.stripeSignature],
                now: Int64(Date().timeIntervalSince1970))
        } catch {
            throw refused(.stripe, error, request: request)
        }
        let delivery: ProviderDelivery
        do {
            delivery = try ProviderDelivery.stripe(body: body)
        } catch {
            throw malformed(.stripe, error.message)
        }
        return try await record(delivery)
    }

    /// Maps and appends a verified delivery: 200 with each event's outcome, whether it was a redelivery, and
    /// why it was kept unmapped (or null).
    private func record(_ delivery: ProviderDelivery) async throws -> Response {
        let mapped: DeliveryMapper.Mapped
        do {
            mapped = try DeliveryMapper(stripeOrderKey: configuration.stripeOrderKey).events(for: delivery)
        } catch {
            throw malformed(delivery.provider, error.message)
        }
        let outcomes: [AppendOutcome]
        do {
            outcomes = try await ledger.append(mapped.events, evidence: delivery.body)
        } catch let error as LedgerError {
            metrics.webhook(delivery.provider.rawValue, outcome: "failed")
            throw APIError(error)
        }
        let duplicate = outcomes.allSatisfy(\.isDuplicate)
        metrics.webhook(
            delivery.provider.rawValue,
            outcome: duplicate ? "duplicate" : mapped.unmappedReason == nil ? "recorded" : "unmapped")
        if let reason = mapped.unmappedReason, !duplicate {
            logger.notice(
                "kept a delivery unmapped",
                metadata: [
                    "provider": "\(delivery.provider.rawValue)", "topic": "\(delivery.topic)",
                    "reason": "\(reason)",
                ])
        }
        return JSONBody.response(
            status: .ok,
            [
                "provider": .string(delivery.provider.rawValue), "topic": .string(delivery.topic),
                "deliveryId": .string(delivery.deliveryId), "duplicate": .bool(duplicate),
                "unmapped": mapped.unmappedReason.map(JSONValue.string) ?? .null,
                "events": .array(outcomes.map { .object($0.jsonObject()) }),
            ])
    }

    /// 401, nothing recorded; logged and counted, since a flood of them is an attack an operator must see.
    private func refused(_ provider: Provider, _ error: IngestError, request: Request) -> APIError {
        metrics.webhook(provider.rawValue, outcome: error.kind.rawValue)
        logger.warning(
            "refused a webhook delivery",
            metadata: [
                "provider": "\(provider.rawValue)", "reason": "\(error.kind.rawValue)",
                "message": "\(error.message)",
            ])
        return APIError(.unauthorized, kind: "unauthorized", error.message)
    }

    private func malformed(_ provider: Provider, _ message: String) -> APIError {
        metrics.webhook(provider.rawValue, outcome: "malformed")
        return APIError(.badRequest, kind: "invalidEvent", message)
    }

    private func notConfigured(_ provider: Provider, _ variable: String, _ option: String) -> APIError {
        metrics.webhook(provider.rawValue, outcome: "not_configured")
        return APIError(
            .serviceUnavailable, kind: "unavailable",
            "no \(provider.rawValue) secret is configured on this server: start `traceledger serve` with "
                + "\(variable) set or \(option)")
    }

    private static func body(of request: Request) async throws -> [UInt8] {
        var request = request
        return Array(try await request.collectBody(upTo: ServerLimits.maximumBodyBytes).readableBytesView)
    }

    static let shopifyHmac = HTTPField.Name("X-Shopify-Hmac-Sha256")!
    static let shopifyTopic = HTTPField.Name("X-Shopify-Topic")!
    static let shopifyEventId = HTTPField.Name("X-Shopify-Event-Id")!
    static let shopifyWebhookId = HTTPField.Name("X-Shopify-Webhook-Id")!
    static let shopifyShopDomain = HTTPField.Name("X-Shopify-Shop-Domain")!
    static let stripeSignature = HTTPField.Name("Stripe-Signature")!
}
